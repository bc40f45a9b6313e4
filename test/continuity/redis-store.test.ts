/**
 * The Redis Streams store in one process, on a real redis-server: two
 * kernels (two "nodes") share it, so a client resumes on the other one;
 * tokens, identities, gaps and Redis outages behave as documented.
 */
import type { Spark } from '../../core/spark';
import type { Kernel } from '../../core/kernel';
import { cluster } from '../../plugins/cluster';
import { RedisStore, continuity, continuityStoreOf, type ContinuityInfo, type Session } from '../../plugins/continuity';
import { continuityEnv, continuityEvents, nextSession, redisContinuityEnv, until, type ContinuityOptions } from './env';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { httpServer, once, portOf } from '../helpers/net';
import { FaultProxy } from '../helpers/proxy';
import { Primus } from '../../index';
import { CLEAN, TrafficClient, tally } from './redis-traffic';
import { frameHash } from '../../plugins/continuity/protocol';

const run = redisAvailable() ? describe : describe.skip;
jest.setTimeout(30_000);

run('Redis Streams store', () => {
  let redis: RedisServer;
  let prefix = 0;
  const stops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    redis = await startRedis({ persistent: true });
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  afterAll(async () => {
    await redis.stop();
  });

  /** A kernel with the cluster plugin then continuity (its default store is then Redis). */
  async function node(options: ContinuityOptions = {}, p = `t${++prefix}`, url = redis.url) {
    const env = await redisContinuityEnv(url, p, options);
    stops.push(() => env.stop());
    return env;
  }

  const storeOf = (kernel: Kernel): RedisStore => continuityStoreOf(kernel) as RedisStore;

  test('the cluster plugin makes Redis the default store; a client resumes on another node with nothing lost', async () => {
    const a = await node();
    const b = await node({}, `t${prefix}`);
    const first = nextSession(a.kernel);
    const client = a.client();
    const events = continuityEvents(client);
    const got: unknown[] = [];
    client.on('data', (d: unknown) => got.push(d));
    const received: unknown[] = [];
    for (const k of [a.kernel, b.kernel]) k.on('connection', (spark: Spark) => spark.on('data', (d: unknown) => received.push(d)));
    await once(client, 'open');
    const session = await first;
    expect(session.store).toBeInstanceOf(RedisStore);
    session.write(1);
    client.write('one');
    await until(() => got.length === 1 && received.length === 1);
    a.proxy.retarget(portOf(b.server));
    a.proxy.blip(50);
    await until(() => session.spark === null);
    session.write(2); // written on a while the client is away: b replays it from Redis
    session.write(3);
    client.write('two');
    await until(() => events.length === 1 && got.length === 3 && received.length === 2);
    expect(events).toEqual([{ recovered: true }]);
    expect(got).toEqual([1, 2, 3]);
    expect(received).toEqual(['one', 'two']);
    expect(b.events.map(([, info]) => info.recovered)).toEqual([true]);
  });

  /** An echo application that records what it processed (client `0`, for {@link tally}). */
  function echoApp(kernel: Kernel, processed: number[]): void {
    kernel.on('connection', (spark: Spark) =>
      spark.on('data', (d: unknown) => {
        const n = (d as { n?: number }).n;
        if (typeof n !== 'number') return void spark.write({ echo: d });
        processed.push(n);
        spark.write({ echo: n });
      }),
    );
  }

  test('tokens are single use and a session belongs to its identity', async () => {
    const a = await node({ identify: (spark: Spark) => spark.query.user as string | undefined });
    const store = storeOf(a.kernel);
    const now = Date.now();
    const first = { session: 'S1', token: 'T1', epoch: '', offset: 0, hash: '', seq: 1 };
    const created = await store.claim(first, 'alice', now);
    expect(created.outcome).toBe('new');
    const session = (created as { session: Session }).session;
    expect(session.id).toBe('S1');
    const mine = { ...first, token: session.token, epoch: store.epoch };
    expect(await store.claim(mine, 'bob', now)).toMatchObject({ outcome: 'lost', reason: 'identity' });
    expect(await store.claim({ ...mine, token: 'nope' }, 'alice', now)).toMatchObject({ outcome: 'lost', reason: 'token' });
    const resumed = await store.claim(mine, 'alice', now);
    expect(resumed).toMatchObject({ outcome: 'resumed', replay: [], offset: 0 });
    // The client confirms the newest token (its acknowledgement): the one it resumed with dies.
    store.acknowledge(session as never, 0);
    await store.writer.settle(1000);
    expect(await store.claim(mine, 'alice', now)).toMatchObject({ outcome: 'lost', reason: 'token' });
    expect(await store.claim({ ...mine, token: session.token }, 'alice', now)).toMatchObject({ outcome: 'resumed' });
  });

  test('Redis killed and restarted with persistence while traffic flows: the client resumes, nothing lost', async () => {
    const persistent = await startRedis({ persistent: true });
    stops.push(() => persistent.stop());
    const a = await node({}, 'p1', persistent.url);
    const processed: number[] = [];
    echoApp(a.kernel, processed);
    const t = new TrafficClient(0, a.proxy.url);
    stops.push(async () => t.destroy());
    await until(() => t.echoes.length > 20, 10_000, 'traffic');
    await persistent.kill();
    // The client drops out while Redis is down: it is sent to reconnect until Redis is back.
    a.proxy.blip(200);
    await new Promise((r) => setTimeout(r, 500));
    await persistent.restart();
    await until(() => t.events.length === 1, 15_000, 'the resume');
    const mark = t.echoes.length + 20;
    await until(() => t.echoes.length > mark, 10_000, 'traffic after the resume');
    await t.finish();
    expect(t.events).toEqual([{ recovered: true }]);
    const serverEvents = a.events.map(([, info]) => [info.recovered, info.reason]);
    // While Redis was down the client was sent to reconnect (unavailable), then it resumed.
    expect(serverEvents).toContainEqual([false, 'unavailable']);
    expect(serverEvents.filter(([, reason]) => reason !== 'unavailable')).toEqual([[true, undefined]]);
    expect(tally(t, new Map([[0, [processed]]]))).toEqual(CLEAN);
  });

  test('Redis restarted without persistence: recovered false, reason epoch, on both sides; then a new session works', async () => {
    const volatile = await startRedis();
    stops.push(() => volatile.stop());
    const a = await node({}, 'v1', volatile.url);
    echoApp(a.kernel, []);
    const { client, events, got, session } = await a.connect();
    client.write('x');
    await until(() => got.length === 1);
    await until(() => (client as unknown as { continuity: { outbox: { length: number } } }).continuity.outbox.length === 0, 5000, 'the acknowledgement');
    const epoch = storeOf(a.kernel).epoch;
    const closed = once(session, 'close');
    await volatile.restart();
    await closed;
    await until(() => events.length === 1, 15_000, 'the client event');
    expect(events).toEqual([{ recovered: false, reason: 'epoch', pending: [] }]);
    expect(a.events.map(([, info]) => [info.recovered, info.reason])).toEqual([[false, 'epoch']]);
    expect(storeOf(a.kernel).epoch).not.toBe(epoch);
    client.write('y');
    await until(() => got.length === 2);
    expect(got).toEqual([{ echo: 'x' }, { echo: 'y' }]);
  });

  test('writes past maxPendingWrites while Redis is down are dropped and reported; a resume on another node reports the hole', async () => {
    const persistent = await startRedis({ persistent: true });
    stops.push(() => persistent.stop());
    const a = await node({ maxPendingWrites: 5 }, 'b1', persistent.url);
    const warnings: string[] = [];
    a.kernel.on('log', (level: string, ...args: unknown[]) => {
      const err = args[0] as { code?: string; message: string };
      if (level === 'warn' && err.code === 'ALLSPARK_CONTINUITY') warnings.push(err.message);
    });
    const { client, events, got, session } = await a.connect();
    session.write(1);
    await until(() => got.length === 1);
    a.proxy.blip(Infinity);
    await until(() => session.spark === null);
    await persistent.kill();
    for (let i = 2; i <= 21; i++) session.write(i);
    await until(() => warnings.some((w) => w.includes('dropped')), 5000, 'the drop warning');
    await persistent.restart();
    await until(() => storeOf(a.kernel).writer.pending === 0, 10_000, 'the writes that were kept');
    // On another node (this one still has every message in its copy and would replay them all):
    const b = await node({}, 'b1', persistent.url);
    a.proxy.retarget(portOf(b.server));
    a.proxy.restore();
    await until(() => events.length === 1, 15_000, 'the resume');
    expect(events).toEqual([{ recovered: false, reason: 'mismatch' }]);
    expect(b.events.map(([, info]) => [info.recovered, info.reason])).toEqual([[false, 'mismatch']]);
    expect(got).toEqual([1]);
    expect(storeOf(a.kernel).writer.dropped).toBeGreaterThan(0);
  });

  test('the Primus facade with the cluster option: continuity uses Redis and primus emits continuity', async () => {
    const server = await httpServer();
    const primus = new Primus(server, { transformer: 'websockets', cluster: { redis: redis.url, prefix: `t${++prefix}` } });
    primus.kernel.use(continuity);
    const proxy = new FaultProxy(portOf(server));
    await proxy.listen();
    // Before the store knows Redis, a client would be sent to reconnect (unavailable): wait, as a deployment would.
    await until(() => continuityStoreOf(primus.kernel)!.epoch !== '', 10_000, 'the epoch');
    const t = new TrafficClient(0, proxy.url);
    stops.push(async () => {
      t.destroy();
      await proxy.close();
      await new Promise<void>((resolve) => primus.destroy({ timeout: 0 }, () => resolve()));
    });
    const infos: Array<[boolean, string | undefined]> = [];
    primus.on('continuity', (_spark: Spark, info: ContinuityInfo) => infos.push([info.recovered, info.reason]));
    primus.on('connection', (spark: Spark) => spark.on('data', (d: unknown) => spark.write({ echo: (d as { n: number }).n })));
    expect(continuityStoreOf(primus.kernel)).toBeInstanceOf(RedisStore);
    await until(() => t.echoes.length > 10, 10_000, 'traffic');
    proxy.blip(50);
    await until(() => t.events.length === 1, 10_000, 'the resume');
    await t.finish();
    expect(t.events).toEqual([{ recovered: true }]);
    expect(infos).toEqual([[true, undefined]]);
    expect(t.echoes).toEqual(Array.from({ length: t.sent }, (_, i) => i + 1));
  });

  test('a client that connects while the node is still connecting to Redis waits for it (no unavailable)', async () => {
    const env = await continuityEnv({}, () => undefined, { before: (k: Kernel) => void k.use(cluster, { redis: redis.url, prefix: `t${++prefix}` }) });
    stops.push(() => env.stop());
    echoApp(env.kernel, []);
    const client = env.client();
    const got: unknown[] = [];
    client.on('data', (d: unknown) => got.push(d));
    client.write('first');
    await until(() => got.length === 1, 10_000, 'the echo');
    expect(got).toEqual([{ echo: 'first' }]);
    expect(env.events).toEqual([]);
  });

  test('store level: binary frames come back as bytes, trimmed and rewritten history are reported', async () => {
    const a = await node({ maxMessages: 3 });
    const store = storeOf(a.kernel);
    const now = Date.now();
    const created = (await store.claim({ session: 'B1', token: 'T1', epoch: '', offset: 0, hash: '', seq: 1 }, undefined, now)) as { session: Session };
    const session = created.session;
    store.attach(session as never);
    store.append(session as never, new Uint8Array([1, 2, 3]), now);
    store.append(session as never, 'two', now);
    await store.writer.settle(1000);
    const at = (offset: number, hash: string) => ({ session: 'B1', token: session.token, epoch: store.epoch, offset, hash, seq: 1 });
    const resumed = await store.claim(at(0, ''), undefined, now);
    expect(resumed).toMatchObject({ outcome: 'resumed', offset: 0 });
    const replay = (resumed as unknown as { replay: unknown[] }).replay;
    expect(replay.length).toBe(2);
    expect(Array.from(replay[0] as Uint8Array)).toEqual([1, 2, 3]);
    expect(replay[1]).toBe('two');
    // The entry at offset 2 is not the one this client says it saw: Redis lost or rewrote history.
    expect(await store.claim(at(2, frameHash('something else')), undefined, now)).toMatchObject({ outcome: 'gap', reason: 'mismatch', offset: 2 });
    for (const n of [3, 4, 5, 6]) store.append(session as never, `m${n}`, now);
    await store.writer.settle(1000);
    // maxMessages 3: offset 1 is long gone.
    expect(await store.claim(at(1, frameHash(new Uint8Array([1, 2, 3]))), undefined, now)).toMatchObject({ outcome: 'gap', reason: 'trimmed', offset: 6 });
    expect(await store.claim(at(4, frameHash('m4')), undefined, now)).toMatchObject({ outcome: 'resumed', replay: ['m5', 'm6'], offset: 4 });
  });
});
