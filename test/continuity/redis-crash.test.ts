/**
 * SIGKILL of the only node, with the Redis store: the restarted node finds
 * every session in Redis, so its clients resume (`recovered: true`) with
 * nothing lost or reordered in either direction, while they write every
 * 5 ms throughout; duplicated: nothing but, at most, the one message the
 * dead node was processing (see killedNodeTally). (With the in-memory store the same crash
 * ends in `recovered: false`, reason `epoch`: crash.test.ts.)
 */
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { kill } from '../helpers/processes';
import { until } from './env';
import { CLEAN, TrafficClient, killedNodeTally, redisNodes, tally } from './redis-traffic';

const run = redisAvailable() ? test : test.skip;
jest.setTimeout(60_000);

let redis: RedisServer | undefined;
const nodes = redisNodes();
const clients: TrafficClient[] = [];
afterAll(async () => {
  for (const c of clients) c.destroy();
  await nodes.cleanup();
  await redis?.stop();
});

run('SIGKILL of the only node, restart: every client recovers, 0 lost / reordered both ways, no duplicate beyond the message in flight', async () => {
  redis = await startRedis();
  const first = await nodes.start(redis.url, 'a');
  for (let c = 0; c < 3; c++) clients.push(new TrafficClient(c, `http://127.0.0.1:${first.port}`));
  await until(() => clients.every((t) => t.echoes.length > 20), 15_000, 'traffic');
  await kill(first);
  const second = await nodes.start(redis.url, 'b', { PORT: String(first.port) });
  await until(() => clients.every((t) => t.events.length === 1), 15_000, 'every client resumed');
  const mark = clients.map((t) => t.echoes.length + 20);
  await until(() => clients.every((t, i) => t.echoes.length > mark[i]), 15_000, 'traffic after the resume');
  for (const t of clients) await t.finish();
  expect(clients.map((t) => t.events)).toEqual([[{ recovered: true }], [{ recovered: true }], [{ recovered: true }]]);
  expect(second.events).toEqual([[true, undefined], [true, undefined], [true, undefined]]);
  const processed = nodes.processed();
  expect(clients.map((t) => killedNodeTally(tally(t, processed)))).toEqual([CLEAN, CLEAN, CLEAN]);
  // A message processed twice has the same sequence number both times: handlers can drop the re-run.
  expect(nodes.keyMismatches()).toEqual([]);
});
