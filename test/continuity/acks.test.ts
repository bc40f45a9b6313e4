/**
 * Requests (acknowledgements of the events plugin) across network blips
 * made by a fault proxy. With continuity the request and reply frames
 * travel in the session's stream and outbox, so a request in flight over a
 * resumed blip settles exactly once, in both directions; when the session
 * is lost (`recovered: false`), or without continuity, it rejects with
 * ALLSPARK_ACK_CLOSED.
 */
import type { Spark } from '../../core/spark';
import type { Client } from '../../core/client/client';
import type { Session } from '../../plugins/continuity';
import { events, createKernel, clientFor, websockets, jsonParserPlugin, heartbeat, reconnect, type AllsparkError } from '../../index';
import { continuityEnv, continuityEvents, until } from './env';
import { FaultProxy } from '../helpers/proxy';
import { once, portOf, delay } from '../helpers/net';

type Env = Awaited<ReturnType<typeof continuityEnv>>;
let env: Env | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await env?.stop();
  env = undefined;
  for (const fn of cleanups.splice(0)) await fn();
});

/** The raw emitter API under run-time event names. */
type Loose = { on(event: string, listener: (...args: any[]) => unknown): unknown; emit(event: string, ...args: unknown[]): boolean };
type Asking = { ask(event: string, payload?: unknown, options?: { timeout?: number }): Promise<unknown> };

/** A continuity kernel with the events plugin (no map: every event travels), a client and its first spark. */
async function start(options: { window?: number } = {}): Promise<{ client: Client & Loose & Asking; spark: Spark & Loose; session: Session }> {
  env = await continuityEnv(options, (k) => void k.use(events, { ackTimeout: 20_000 }));
  const sparkP = once<Spark>(env.kernel, 'connection');
  const client = env.client() as Client & Loose & Asking;
  const spark = (await sparkP) as Spark & Loose;
  await once(client, 'open');
  return { client, spark, session: spark.session! };
}

/** A Promise and its resolver: a handler that answers when the test says so. */
function later<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A request each way that no handler ever answers ("question" to the client,
 * "slow" to the server), given 100 ms to arrive; each settles with its error.
 */
async function askUnanswered(client: Client & Loose & Asking, spark: Spark & Loose & Asking) {
  client.on('question', () => new Promise(() => undefined));
  spark.on('slow', () => new Promise(() => undefined));
  const fromServer = spark.ask('question').catch((err: AllsparkError) => err);
  const fromClient = client.ask('slow', 1).catch((err: AllsparkError) => err);
  await delay(100);
  return { fromServer, fromClient };
}

describe('requests across a blip with continuity', () => {
  test('client → server: the reply written while the client is away is replayed; the callback runs exactly once', async () => {
    const { client, spark, session } = await start();
    const gate = later<number>();
    const asked: number[] = [];
    const onSparks = (s: Spark & Loose): void => void s.on('slow', (n: number) => (asked.push(n), gate.promise.then((v) => v * n)));
    onSparks(spark);
    env!.kernel.on('connection', (s: Spark) => onSparks(s as Spark & Loose));
    const resumed = continuityEvents(client);
    const calls: unknown[][] = [];
    client.emit('slow', 2, (err: Error | null, reply?: unknown) => calls.push([err, reply]));
    await until(() => asked.length === 1, 10_000, 'the server handler');
    env!.proxy.blip(300);
    await until(() => session.spark === null, 10_000, 'the server to see the blip');
    // The handler answers while the client is away: the reply waits in the session's stream.
    gate.resolve(21);
    await until(() => calls.length === 1, 10_000, 'the reply');
    await delay(100);
    expect(calls).toEqual([[null, 42]]);
    expect(resumed).toEqual([{ recovered: true }]);
    // The request was processed once, though its frame may have been sent twice.
    expect(asked).toEqual([2]);
  });

  test('client → server: a request sent before the blip and answered after the resume resolves once', async () => {
    const { client, spark } = await start();
    const gate = later<string>();
    spark.on('later', () => gate.promise);
    const resumed = continuityEvents(client);
    const answer = client.ask('later', null, { timeout: 15_000 });
    await delay(50);
    env!.proxy.blip(200);
    await until(() => resumed.length === 1, 10_000, 'the resume');
    gate.resolve('after');
    expect(await answer).toBe('after');
    expect(resumed).toEqual([{ recovered: true }]);
  });

  test('server → client: a request asked before the blip settles through the resumed spark, once; one asked while the client is away too', async () => {
    const { client, spark, session } = await start();
    const gate = later<string>();
    const seen: unknown[] = [];
    client.on('question', (q: string) => (seen.push(q), q === 'first' ? gate.promise : `re: ${q}`));
    const first = spark.ask('question', 'first');
    await until(() => seen.length === 1, 10_000, 'the client handler');
    env!.proxy.blip(300);
    await until(() => session.spark === null, 10_000, 'the server to see the blip');
    // Asked on the old, closed spark: written to the session, replayed on resume.
    const second = spark.ask('question', 'away');
    const resumed = once<Spark>(env!.kernel, 'continuity');
    gate.resolve('ok');
    expect(await first).toBe('ok');
    expect(await second).toBe('re: away');
    const newer = await resumed;
    expect(newer.id).not.toBe(spark.id);
    expect(newer.session).toBe(session);
    expect(seen).toEqual(['first', 'away']);
  });
});

describe('requests when the session is lost, or without continuity', () => {
  test('past the window (recovered: false): waiting requests reject with ALLSPARK_ACK_CLOSED on both sides', async () => {
    const { client, spark, session } = await start({ window: 100 });
    const { fromServer, fromClient } = await askUnanswered(client, spark);
    const events = continuityEvents(client);
    env!.proxy.blip(600);
    const serverErr = (await fromServer) as AllsparkError;
    expect([serverErr.code, serverErr.message]).toEqual(['ALLSPARK_ACK_CLOSED', 'The session ended before "question" was answered']);
    expect(session.closed).toBe(true);
    const clientErr = (await fromClient) as AllsparkError;
    expect([clientErr.code, clientErr.message]).toEqual(['ALLSPARK_ACK_CLOSED', 'The connection closed before "slow" was answered']);
    expect(events.map((e) => [e.recovered, e.reason])).toEqual([[false, 'expired']]);
  });

  test('resumed with a gap (history trimmed, recovered: false): the same session rejects what waited, on both sides', async () => {
    const { client, spark, session } = await start();
    const { fromServer, fromClient } = await askUnanswered(client, spark);
    const events = continuityEvents(client);
    env!.proxy.blip(300);
    await until(() => session.spark === null, 10_000, 'the server to see the blip');
    // More than the session keeps (maxMessages 1000) while the client is away: it cannot replay them all.
    for (let i = 0; i < 1100; i++) session.write(i);
    const serverErr = (await fromServer) as AllsparkError;
    expect([serverErr.code, serverErr.message]).toEqual(['ALLSPARK_ACK_CLOSED', 'The session lost messages before "question" was answered']);
    const clientErr = (await fromClient) as AllsparkError;
    expect(clientErr.code).toBe('ALLSPARK_ACK_CLOSED');
    expect(events.map((e) => [e.recovered, e.reason])).toEqual([[false, 'trimmed']]);
    expect(session.closed).toBe(false);
  });

  test('without continuity a blip rejects waiting requests at once, on both sides', async () => {
    const kernel = createKernel().use(websockets).use(jsonParserPlugin).use(heartbeat, { pingInterval: false }).use(reconnect).use(events);
    const server = await kernel.listen(0);
    const proxy = new FaultProxy(portOf(server));
    await proxy.listen();
    const client = new (clientFor(kernel))(proxy.url, { reconnect: { min: 20, max: 100, retries: 1000 } }) as Client & Loose & Asking;
    cleanups.push(async () => {
      client.destroy();
      await proxy.close();
      await kernel.close();
    });
    const sparkP = once<Spark>(kernel, 'connection');
    await once(client, 'open');
    const spark = (await sparkP) as Spark & Loose;
    const { fromServer, fromClient } = await askUnanswered(client, spark);
    proxy.blip(200);
    const [serverErr, clientErr] = (await Promise.all([fromServer, fromClient])) as AllsparkError[];
    expect([serverErr.code, serverErr.message]).toEqual(['ALLSPARK_ACK_CLOSED', 'The connection closed before "question" was answered']);
    expect([clientErr.code, clientErr.message]).toEqual(['ALLSPARK_ACK_CLOSED', 'The connection closed before "slow" was answered']);
  });
});
