/**
 * Requests (the events plugin's acknowledgements) on the Redis continuity
 * store, with a real redis-server: a request pending over a blip that
 * resumes settles exactly once; when the session is lost (window expired,
 * Redis lost its data) or moves to another node, what waited rejects with
 * ALLSPARK_ACK_CLOSED at once, long before ackTimeout (20 s here, so a
 * rejection by timeout would fail the test on its code).
 */
import type { Spark } from '../../core/spark';
import type { Client } from '../../core/client/client';
import type { Session } from '../../plugins/continuity';
import { events, type AllsparkError } from '../../index';
import { continuityEvents, redisContinuityEnv, until, type ContinuityOptions } from './env';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { once, portOf, delay } from '../helpers/net';

const run = redisAvailable() ? describe : describe.skip;
jest.setTimeout(30_000);

/** The raw emitter API under run-time event names. */
type Loose = { on(event: string, listener: (...args: any[]) => unknown): unknown };
type Asking = { ask(event: string, payload?: unknown, options?: { timeout?: number }): Promise<unknown> };
type Env = Awaited<ReturnType<typeof redisContinuityEnv>>;

/** A Promise and its resolver: a handler that answers when the test says so. */
function later<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** What a request settled with, and how many times it did (a Promise settles once; the callback form is counted). */
function outcome(request: Promise<unknown>): Promise<unknown> {
  return request.then(
    (value) => ({ value }),
    (err: AllsparkError) => ({ code: err.code, message: err.message }),
  );
}

run('requests on the Redis continuity store', () => {
  let redis: RedisServer;
  let prefix = 0;
  const stops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  afterAll(async () => {
    await redis.stop();
  });

  /** A node with the events plugin (every event travels, 20 s ackTimeout) on the Redis store. */
  async function node(options: ContinuityOptions = {}, p = `a${++prefix}`, url = redis.url): Promise<Env> {
    const env = await redisContinuityEnv(url, p, options, (k) => void k.use(events, { ackTimeout: 20_000 }));
    stops.push(() => env.stop());
    return env;
  }

  /** A client of `env`'s node (through its proxy), open, with its first spark and that spark's session. */
  async function connect(env: Env) {
    const sparkP = once<Spark>(env.kernel, 'connection');
    const client = env.client() as Client & Loose & Asking;
    const openP = once(client, 'open');
    const spark = (await sparkP) as Spark & Loose & Asking;
    await openP;
    return { client, spark, session: spark.session as Session, resumes: continuityEvents(client) };
  }

  /** A request each way that no handler answers ("question" to the client, "slow" to the server), arrived. */
  async function askUnanswered(client: Client & Loose & Asking, spark: Spark & Loose & Asking) {
    const arrived: string[] = [];
    client.on('question', () => (arrived.push('question'), new Promise(() => undefined)));
    spark.on('slow', () => (arrived.push('slow'), new Promise(() => undefined)));
    const fromServer = outcome(spark.ask('question'));
    const fromClient = outcome(client.ask('slow'));
    await until(() => arrived.length === 2, 10_000, 'both requests to arrive');
    return { fromServer, fromClient };
  }

  test('server → client: a request pending over a resumed blip settles once with the reply, answered while the client is away', async () => {
    const a = await node();
    const { client, spark, session, resumes } = await connect(a);
    const gate = later<string>();
    const seen: unknown[] = [];
    client.on('question', (q: string) => (seen.push(q), gate.promise));
    const settled: unknown[] = [];
    const first = spark.ask('question', 'first').then((v) => (settled.push(v), v));
    await until(() => seen.length === 1, 10_000, 'the client handler');
    a.proxy.blip(300);
    await until(() => session.spark === null, 10_000, 'the server to see the blip');
    // The client answers while it is away: the reply waits in its outbox, then reaches the resumed spark.
    gate.resolve('ok');
    expect(await first).toBe('ok');
    await until(() => resumes.length === 1, 10_000, 'the resume');
    await delay(100);
    expect(settled).toEqual(['ok']);
    expect(resumes).toEqual([{ recovered: true }]);
    expect(seen).toEqual(['first']);
    expect(session.closed).toBe(false);
  });

  test('client → server and back: requests in flight both ways over a resumed blip each settle once', async () => {
    const a = await node();
    const { client, spark, session, resumes } = await connect(a);
    const gate = later<number>();
    spark.on('slow', (n: number) => gate.promise.then((v) => v * n));
    client.on('question', (q: string) => `re: ${q}`);
    const fromClient = outcome(client.ask('slow', 2));
    await delay(50);
    a.proxy.blip(300);
    await until(() => session.spark === null, 10_000, 'the server to see the blip');
    // Asked on the spark that dropped: the session carries it to the resumed one.
    const fromServer = outcome(spark.ask('question', 'away'));
    gate.resolve(21);
    expect(await fromClient).toEqual({ value: 42 });
    expect(await fromServer).toEqual({ value: 're: away' });
    expect(resumes).toEqual([{ recovered: true }]);
  });

  test('window expired (recovered: false, expired): waiting requests reject with ALLSPARK_ACK_CLOSED on both sides, at the resume', async () => {
    const a = await node({ window: 200 });
    const { client, spark, session, resumes } = await connect(a);
    const { fromServer, fromClient } = await askUnanswered(client, spark);
    a.proxy.blip(Infinity);
    await until(() => session.spark === null, 10_000, 'the server to see the blip');
    // Past the window in Redis (200 ms) but inside this node's copy of it (window + 1 s): the claim tells.
    await delay(400);
    a.proxy.restore();
    expect(await fromClient).toEqual({ code: 'ALLSPARK_ACK_CLOSED', message: 'The connection closed before "slow" was answered' });
    expect(await fromServer).toEqual({ code: 'ALLSPARK_ACK_CLOSED', message: 'The session ended before "question" was answered' });
    expect(resumes.map((e) => [e.recovered, e.reason])).toEqual([[false, 'expired']]);
    expect(session.closed).toBe(true);
  });

  test('the client resumes on another node: the first node lets go of the session and its waiting request rejects at once', async () => {
    const a = await node();
    const b = await node({}, `a${prefix}`);
    const { client, spark, session, resumes } = await connect(a);
    const { fromServer } = await askUnanswered(client, spark);
    a.proxy.retarget(portOf(b.server));
    a.proxy.blip(50);
    await until(() => resumes.length === 1, 10_000, 'the resume on b');
    expect(resumes).toEqual([{ recovered: true }]);
    expect(await fromServer).toEqual({ code: 'ALLSPARK_ACK_CLOSED', message: 'The session ended before "question" was answered' });
    expect(session.closed).toBe(true);
    // The session lives on, on b: a request from there is answered.
    const [[onB, info]] = b.events;
    expect([info.recovered, info.session!.id]).toEqual([true, session.id]);
    client.on('again', (n: number) => n + 1);
    expect(await outcome((onB as Spark & Asking).ask('again', 1))).toEqual({ value: 2 });
  });

  test('Redis lost its data (restart without persistence): waiting requests reject with ALLSPARK_ACK_CLOSED on both sides', async () => {
    const volatile = await startRedis();
    stops.push(() => volatile.stop());
    const a = await node({}, 'v1', volatile.url);
    const { client, spark, session, resumes } = await connect(a);
    const { fromServer, fromClient } = await askUnanswered(client, spark);
    // The request was acknowledged as processed: it is not handed back in `pending`.
    await until(() => (client as unknown as { continuity: { outbox: { length: number } } }).continuity.outbox.length === 0, 5000, 'the acknowledgement');
    await volatile.restart();
    expect(await fromServer).toEqual({ code: 'ALLSPARK_ACK_CLOSED', message: 'The session ended before "question" was answered' });
    expect(await fromClient).toEqual({ code: 'ALLSPARK_ACK_CLOSED', message: 'The connection closed before "slow" was answered' });
    await until(() => resumes.length === 1, 15_000, 'the client event');
    expect(resumes).toEqual([{ recovered: false, reason: 'epoch', pending: [] }]);
    expect(session.closed).toBe(true);
  });
});
