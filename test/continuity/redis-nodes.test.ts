/**
 * Three node processes on one Redis, each behind its own fault proxy, two
 * continuity clients per node writing every 5 ms, and a real Primus 8
 * client on the third node. SIGKILL of the first node: its clients resume
 * on the second (the proxy now points there). Then the second is drained
 * (`kernel.close({ reconnect: true })`): every client left resumes on the
 * third. Nothing lost or reordered in either direction, nothing duplicated
 * but, at most, the message the killed node was processing (killedNodeTally);
 * the Primus 8 client never notices.
 */
import { FaultProxy } from '../helpers/proxy';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { kill } from '../helpers/processes';
import { once } from '../helpers/net';
import { until } from './env';
import { CLEAN, TrafficClient, killedNodeTally, redisNodes, tally } from './redis-traffic';

const RealPrimus = require('primus');
const run = redisAvailable() ? test : test.skip;
jest.setTimeout(60_000);

let redis: RedisServer | undefined;
const nodes = redisNodes();
const clients: TrafficClient[] = [];
const proxies: FaultProxy[] = [];
let primus: { destroy(): void } | undefined;
afterAll(async () => {
  primus?.destroy();
  for (const c of clients) c.destroy();
  for (const p of proxies) await p.close();
  await nodes.cleanup();
  await redis?.stop();
});

run('SIGKILL one of three nodes, then drain another: clients resume on the others, 0 lost / reordered', async () => {
  redis = await startRedis();
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => nodes.start(redis!.url, id)));
  for (const node of [a, b, c]) {
    const proxy = new FaultProxy(node.port);
    await proxy.listen();
    proxies.push(proxy);
  }
  const [pa, pb] = proxies;
  proxies.forEach((proxy, i) => clients.push(new TrafficClient(2 * i, proxy.url), new TrafficClient(2 * i + 1, proxy.url)));

  // A real Primus 8 client on the third node, writing throughout.
  const Socket = RealPrimus.createSocket({ transformer: 'websockets', pathname: '/primus' });
  const plain = new Socket(`http://127.0.0.1:${c.port}`, { reconnect: { min: 20, max: 100 } });
  primus = plain;
  plain.on('error', () => undefined);
  const plainEchoes: unknown[] = [];
  let plainSent = 0;
  plain.on('data', (d: { echo?: unknown }) => plainEchoes.push(d.echo));
  await once(plain, 'open');
  const plainWriter = setInterval(() => plain.write({ p: ++plainSent }), 10);

  try {
    await until(() => clients.every((t) => t.echoes.length > 20), 20_000, 'traffic');
    pa.retarget(b.port);
    await kill(a);
    await until(() => clients[0].events.length === 1 && clients[1].events.length === 1, 15_000, 'clients of a resumed');
    const mark = clients.map((t) => t.echoes.length + 20);
    await until(() => clients.every((t, i) => t.echoes.length > mark[i]), 15_000, 'traffic after the kill');

    pa.retarget(c.port);
    pb.retarget(c.port);
    const drained = new Promise((resolve) => b.child.once('exit', resolve));
    b.child.send('drain');
    await drained;
    await until(() => clients.slice(0, 4).every((t, i) => t.events.length === (i < 2 ? 2 : 1)), 15_000, 'clients of b resumed');
    const again = clients.map((t) => t.echoes.length + 20);
    await until(() => clients.every((t, i) => t.echoes.length > again[i]), 15_000, 'traffic after the drain');
    for (const t of clients) await t.finish();
    clearInterval(plainWriter);
    await until(() => plainEchoes.length === plainSent, 10_000, 'the Primus client echoes');
  } finally {
    clearInterval(plainWriter);
  }
  const ok = { recovered: true };
  expect(clients.map((t) => t.events)).toEqual([[ok, ok], [ok, ok], [ok], [ok], [], []]);
  expect(b.events).toEqual([[true, undefined], [true, undefined]]);
  expect(c.events).toEqual(Array(4).fill([true, undefined]));
  const processed = nodes.processed();
  // Clients 0 and 1 were on the killed node (see killedNodeTally); the others saw only a drain: exactly once.
  const tallies = clients.map((t) => tally(t, processed));
  expect([...tallies.slice(0, 2).map(killedNodeTally), ...tallies.slice(2)]).toEqual(Array(6).fill(CLEAN));
  // A message processed twice has the same sequence number both times: handlers can drop the re-run.
  expect(nodes.keyMismatches()).toEqual([]);
  expect(plainEchoes).toEqual(Array.from({ length: plainSent }, (_, i) => ({ p: i + 1 })));
});
