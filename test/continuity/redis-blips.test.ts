/**
 * Blips on the Redis store: 40 network blips from 10 ms to 2 s, five
 * clients in parallel, traffic both ways every 5 ms (the server writes to
 * each session while its client is away too), every resume read back from
 * Redis: nothing lost, duplicated or reordered; `recovered: false`, reason
 * `expired`, for every blip past the 1 s window.
 */
import type { Kernel } from '../../core/kernel';
import { cluster } from '../../plugins/cluster';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { runBlips, spread } from './blips';

const WINDOW = 1000;
const run = redisAvailable() ? test : test.skip;

let redis: RedisServer | undefined;
afterAll(async () => {
  await redis?.stop();
});

run('40 blips from 10 ms to 2 s on the Redis store: 0 lost, 0 duplicated, 0 reordered; recovered: false past the window', async () => {
  redis = await startRedis();
  const url = redis.url;
  const stats = await runBlips({ clients: 5, durations: spread(40, 10, 2000), window: WINDOW, before: (k: Kernel) => void k.use(cluster, { redis: url, prefix: 'blips' }) });
  expect(stats.blips.length).toBe(40);
  expect({ lost: stats.lost, duplicated: stats.duplicated, reordered: stats.reordered }).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
  const long = stats.blips.filter((b) => b.ms > WINDOW);
  expect(long.filter((b) => b.recovered || b.reason !== 'expired')).toEqual([]);
  const short = stats.blips.filter((b) => b.ms < WINDOW - 400);
  expect(short.filter((b) => !b.recovered)).toEqual([]);
  expect(stats.serverGaps).toBe(stats.blips.filter((b) => !b.recovered).length);
}, 60_000);
