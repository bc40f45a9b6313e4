/**
 * Deploys: a node drained with `kernel.close({ reconnect: true })` sends
 * its clients away without the close message; they reconnect (here the
 * proxy now points at the next node, which shares the store) and resume
 * with nothing lost, duplicated or reordered, in both directions.
 */
import type { Spark } from '../../core/spark';
import { MemoryStore, type Session } from '../../plugins/continuity';
import { continuityEnv, continuityEvents, until } from './env';
import { portOf } from '../helpers/net';

test('drain one node: its clients resume on the other with nothing lost', async () => {
  const store = new MemoryStore();
  const a = await continuityEnv({ store });
  const b = await continuityEnv({ store });
  const counters = new Map<Session, number>();
  const received = new Map<number, number[]>();
  const nodes = new Map<string, string>();
  for (const [name, env] of [['a', a], ['b', b]] as const) {
    env.kernel.on('connection', (spark: Spark) => {
      const session = spark.session!;
      nodes.set(session.id, name);
      if (!counters.has(session)) counters.set(session, 0);
      spark.on('data', (data) => {
        const m = data as { c: number; n: number };
        const list = received.get(m.c) ?? [];
        list.push(m.n);
        received.set(m.c, list);
      });
    });
  }
  const ticker = setInterval(() => {
    for (const [session, n] of counters) if (session.write(n + 1)) counters.set(session, n + 1);
  }, 5);
  try {
    const clients = [a.client(), a.client(), a.client()];
    const got = clients.map(() => [] as number[]);
    const sent = clients.map(() => 0);
    const events = clients.map((c) => continuityEvents(c));
    clients.forEach((c, i) => c.on('data', (n) => got[i].push(n as number)));
    const writer = setInterval(() => clients.forEach((c, i) => c.write({ c: i, n: ++sent[i] })), 5);
    await until(() => got.every((g) => g.length > 20));
    a.proxy.retarget(portOf(b.server));
    await a.kernel.close({ reconnect: true });
    await until(() => events.every((e) => e.length === 1));
    const more = got.map((g) => g.length + 20);
    await until(() => got.every((g, i) => g.length > more[i]));
    clearInterval(writer);
    clearInterval(ticker);
    expect(events).toEqual([[{ recovered: true }], [{ recovered: true }], [{ recovered: true }]]);
    expect([...nodes.values()]).toEqual(['b', 'b', 'b']);
    for (const g of got) expect(g).toEqual(Array.from({ length: g.length }, (_, i) => i + 1));
    await until(() => sent.every((n, i) => received.get(i)?.length === n));
    for (const [i, n] of sent.entries()) expect(received.get(i)).toEqual(Array.from({ length: n }, (_, k) => k + 1));
  } finally {
    clearInterval(ticker);
    await a.stop();
    await b.stop();
    store.close();
  }
});
