/**
 * The Redis Streams store in one process, on a real redis-server: two
 * kernels (two "nodes") share it, so a client resumes on the other one;
 * tokens, identities, gaps and Redis outages behave as documented.
 */
import type { Spark } from '../../core/spark';
import type { Kernel } from '../../core/kernel';
import { cluster } from '../../plugins/cluster';
import { RedisStore, continuityStoreOf, type Session } from '../../plugins/continuity';
import { continuityEnv, continuityEvents, until, type ContinuityOptions } from './env';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { once, portOf } from '../helpers/net';

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
  async function node(options: ContinuityOptions = {}, p = `t${++prefix}`) {
    const env = await continuityEnv(options, () => undefined, { before: (k: Kernel) => void k.use(cluster, { redis: redis.url, prefix: p, retryMax: 100 }) });
    stops.push(() => env.stop());
    await until(() => storeOf(env.kernel).epoch !== '', 10_000, 'the epoch');
    return env;
  }

  const storeOf = (kernel: Kernel): RedisStore => continuityStoreOf(kernel) as RedisStore;

  function nextSession(kernel: Kernel): Promise<Session> {
    return new Promise((resolve) => kernel.once('connection', (spark: Spark) => resolve(spark.session!)));
  }

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
});
