import { z } from 'zod/v3';
import { events, defineEvents, AllsparkError, type Kernel, type Client, type Spark } from '../../index';
import { startKernel, stopAll } from '../helpers/kernel';
import { once, onceArgs, delay } from '../helpers/net';

const chat = defineEvents({
  chat: z.object({ text: z.string().max(20) }),
  sum: { payload: z.object({ a: z.number(), b: z.number() }), reply: z.number() },
  news: z.string(),
  slow: z.number(),
  fail: z.string(),
});

type Env = Awaited<ReturnType<typeof startKernel>>;
let env: Env | undefined;

afterEach(async () => {
  await stopAll(env);
  env = undefined;
});

async function start(options: Parameters<Kernel['use']>[1] = { map: chat }): Promise<Env> {
  env = await startKernel((k) => void k.use(events, options as never));
  return env;
}

/**
 * The raw emitter API under the event map's names (`spark.on('chat')`, `client.emit('chat', …)`):
 * those names are known at run time only, so the declared event maps do not list them.
 */
type Loose = {
  on(event: string, listener: (...args: any[]) => unknown): unknown;
  emit(event: string, ...args: unknown[]): boolean;
  removeAllListeners(event?: string): unknown;
};

async function pair(e: Env, opts: Record<string, unknown> = {}): Promise<{ client: Client & Loose; spark: Spark & Loose }> {
  const spark = once<Spark>(e.kernel, 'connection');
  const client = e.client(opts);
  const s = await spark;
  await once(client, 'open');
  return { client: client as Client & Loose, spark: s as Spark & Loose };
}

type Coded = AllsparkError & { event?: string; path?: string; issues?: unknown };

describe('typed events', () => {
  test('client → server: validated payloads reach handlers parsed; event packets never reach data', async () => {
    const e = await start();
    const { client, spark } = await pair(e);
    const data: unknown[] = [];
    spark.on('data', (d: unknown) => data.push(d));
    const got = once(spark, 'chat');
    chat.client(client).emit('chat', { text: 'hello' });
    expect(await got).toEqual({ text: 'hello' });
    client.write('plain');
    await once(spark, 'data');
    expect(data).toEqual(['plain']);
  });

  test('server → client and back, typed views on both sides', async () => {
    const e = await start();
    const { client, spark } = await pair(e);
    const got = once(client, 'news');
    chat.spark(spark).emit('news', 'extra!');
    expect(await got).toBe('extra!');
  });

  test('an invalid payload answers the sender with event, path and message; handlers never run; the connection stays up', async () => {
    const e = await start();
    const { client, spark } = await pair(e);
    const handled: unknown[] = [];
    spark.on('chat', (p: unknown) => handled.push(p));
    const error = once<Coded>(client, 'error');
    client.emit('chat', { text: 'x'.repeat(21) });
    const err = await error;
    expect(err).toBeInstanceOf(AllsparkError);
    expect(err.code).toBe('ALLSPARK_EVENT_INVALID');
    expect(err.event).toBe('chat');
    expect(err.path).toBe('text');
    expect(err.message).toBe('Invalid payload for event "chat" at text: String must contain at most 20 character(s)');
    // With an ack the error is the reply.
    const [ackErr] = await onceArgs<[Coded]>({ once: (_e: string, f: (...a: any[]) => void) => client.emit('chat', { text: 5 }, f) }, 'ack');
    expect(ackErr.code).toBe('ALLSPARK_EVENT_INVALID');
    expect(ackErr.message).toBe('Invalid payload for event "chat" at text: Expected string, received number');
    const ok = once(spark, 'chat');
    client.emit('chat', { text: 'fine' });
    expect(await ok).toEqual({ text: 'fine' });
    expect(handled).toEqual([{ text: 'fine' }]);
    expect(e.kernel.connected).toBe(1);
  });

  test('unknown events: the three policies', async () => {
    for (const [policy, expected] of [
      ['reject', 'ALLSPARK_EVENT_UNKNOWN'],
      ['ignore', 'timeout'],
      ['allow', 'handled:1'],
    ] as const) {
      const e = await start({ map: chat, unknown: policy, ackTimeout: 300 });
      const { client, spark } = await pair(e);
      spark.on('other', (n: number) => `handled:${n}`);
      const answer = await (client as Client & { ask(e: string, p: unknown): Promise<unknown> })
        .ask('other', 1)
        .catch((err: Coded) => (err.code === 'ALLSPARK_ACK_TIMEOUT' ? 'timeout' : err.code));
      expect([policy, answer]).toEqual([policy, expected]);
      await stopAll(e);
      env = undefined;
    }
  });

  test('reserved names are refused: in defineEvents, and from the wire', async () => {
    expect(() => defineEvents({ data: z.string() })).toThrow(expect.objectContaining({ code: 'ALLSPARK_EVENT_RESERVED' }));
    expect(() => defineEvents({ 'incoming::open': z.string() })).toThrow('"incoming::open" is reserved and cannot be a typed event name');
    const e = await start({ unknown: 'allow' });
    const { client, spark } = await pair(e);
    let ended = false;
    spark.on('end', () => (ended = true));
    const error = once<Coded>(client, 'error');
    client.write({ type: 0, data: ['end'] });
    expect((await error).code).toBe('ALLSPARK_EVENT_RESERVED');
    expect(ended).toBe(false);
    expect(e.kernel.connected).toBe(1);
  });

  test('without a map every non-reserved event travels (allow), both ways', async () => {
    const e = await start({});
    const { client, spark } = await pair(e);
    const got = onceArgs(spark, 'hello');
    client.emit('hello', 1, 'two');
    expect(await got).toEqual([1, 'two']);
    const back = onceArgs(client, 'welcome');
    spark.emit('welcome', { n: 1 });
    expect(await back).toEqual([{ n: 1 }]);
  });
});

describe('acknowledgements', () => {
  test('client asks, server answers by return value, Promise, or reply callback', async () => {
    const e = await start();
    const { client, spark } = await pair(e);
    const typed = chat.client(client);
    chat.spark(spark).on('sum', ({ a, b }) => a + b);
    expect(await typed.ask('sum', { a: 2, b: 3 })).toBe(5);
    spark.removeAllListeners('sum');
    chat.spark(spark).on('sum', async ({ a, b }) => {
      await delay(5);
      return a * b;
    });
    expect(await typed.ask('sum', { a: 2, b: 3 })).toBe(6);
    spark.removeAllListeners('sum');
    chat.spark(spark).on('sum', (_p, reply) => {
      setTimeout(() => reply(null, 7), 5);
    });
    const viaCallback = await new Promise((resolve) => typed.emit('sum', { a: 0, b: 0 }, (err, value) => resolve([err, value])));
    expect(viaCallback).toEqual([null, 7]);
  });

  test('server asks, client answers; a reply that fails the reply schema rejects with ALLSPARK_EVENT_INVALID', async () => {
    const e = await start();
    const { client, spark } = await pair(e);
    chat.client(client).on('sum', ({ a, b }) => a - b);
    expect(await chat.spark(spark).ask('sum', { a: 5, b: 3 })).toBe(2);
    client.removeAllListeners('sum');
    client.on('sum', () => 'not a number');
    const err = await spark.ask('sum', { a: 1, b: 1 }).catch((x: Coded) => x);
    expect((err as Coded).code).toBe('ALLSPARK_EVENT_INVALID');
    expect((err as Coded).message).toBe('Invalid reply for event "sum" at (root): Expected number, received string');
  });

  test('errors travel back with their code; errors without a code are reported generically and logged', async () => {
    const e = await start();
    const { client, spark } = await pair(e);
    const logged: unknown[] = [];
    e.kernel.on('log', (_level: string, err: unknown) => logged.push(err));
    spark.on('fail', (kind: string) => {
      if (kind === 'coded') throw Object.assign(new Error('not allowed'), { code: 'E_FORBIDDEN' });
      return Promise.reject(new Error('database password is hunter2'));
    });
    const coded = (await chat.client(client).ask('fail', 'coded').catch((x) => x)) as Coded;
    expect([coded.code, coded.message, coded.event]).toEqual(['E_FORBIDDEN', 'not allowed', 'fail']);
    const plain = (await chat.client(client).ask('fail', 'plain').catch((x) => x)) as Coded;
    expect([plain.code, plain.message]).toEqual(['ALLSPARK_EVENT_HANDLER', 'The handler of "fail" failed']);
    expect(logged.some((x) => (x as AllsparkError).message === 'The handler of "fail" failed: database password is hunter2')).toBe(true);
    const none = (await (client as Client & { ask(e: string, p: unknown): Promise<unknown> }).ask('news', 'x').catch((x) => x)) as Coded;
    expect([none.code, none.message]).toEqual(['ALLSPARK_EVENT_HANDLER', 'Nothing handles "news"']);
  });

  test('a timeout rejects with ALLSPARK_ACK_TIMEOUT; the late reply is dropped', async () => {
    const e = await start({ map: chat, ackTimeout: 40 });
    const { client, spark } = await pair(e);
    let replied = 0;
    spark.on('slow', (ms: number, reply: (e: null, v: number) => void) => {
      setTimeout(() => {
        reply(null, ms);
        replied++;
      }, ms);
    });
    const err = (await chat.client(client).ask('slow', 150, { timeout: 30 }).catch((x) => x)) as Coded;
    expect(err).toBeInstanceOf(AllsparkError);
    expect([err.code, err.message]).toEqual(['ALLSPARK_ACK_TIMEOUT', 'No reply to "slow" within 30 ms']);
    // The callback form (timeout: the ackTimeout option): called once, with the timeout; the later reply is dropped.
    const calls: unknown[] = [];
    chat.client(client).emit('slow', 100, ((err: Coded | null, value?: unknown) => calls.push(err ? err.code : value)) as never);
    while (replied < 2) await delay(10);
    await delay(50);
    expect(calls).toEqual(['ALLSPARK_ACK_TIMEOUT']);
    expect(e.kernel.connected).toBe(1);
  });

  test('pending acks are bounded (maxPendingAcks) and rejected when the connection closes, on both sides', async () => {
    const e = await start({ map: chat, maxPendingAcks: 2 });
    const { client, spark } = await pair(e);
    spark.on('slow', () => undefined);
    client.on('slow', () => undefined);
    const typed = chat.client(client);
    const first = typed.ask('slow', 1).catch((x: Coded) => x.code);
    const second = typed.ask('slow', 2).catch((x: Coded) => x.code);
    expect(await typed.ask('slow', 3).catch((x: Coded) => x.code)).toBe('ALLSPARK_ACK_LIMIT');
    const fromServer = spark.ask('slow', 4).catch((x: Coded) => x.code);
    await delay(20);
    spark.end(undefined, { reconnect: true });
    expect(await Promise.all([first, second, fromServer])).toEqual(['ALLSPARK_ACK_CLOSED', 'ALLSPARK_ACK_CLOSED', 'ALLSPARK_ACK_CLOSED']);
  });
});

describe('wire compatibility with primus-emitter', () => {
  const PrimusV8 = require('primus');
  const emitter = require('primus-emitter');

  test('the real Primus 8 client with primus-emitter: send, acks, refusals, server emits', async () => {
    const e = await start();
    const Socket = PrimusV8.createSocket({ transformer: 'websockets', plugin: { emitter } });
    const spark = once<Spark>(e.kernel, 'connection');
    const client = new Socket(e.url);
    try {
      const s = await spark;
      const chatGot = once(s, 'chat');
      client.send('chat', { text: 'from primus-emitter' });
      expect(await chatGot).toEqual({ text: 'from primus-emitter' });
      chat.spark(s).on('sum', ({ a, b }) => a + b);
      expect(await new Promise((resolve) => client.send('sum', { a: 20, b: 22 }, (...args: unknown[]) => resolve(args)))).toEqual([null, 42]);
      const refused = await new Promise((resolve) => client.send('chat', { text: 7 }, (...args: unknown[]) => resolve(args)));
      expect(refused).toEqual([
        {
          code: 'ALLSPARK_EVENT_INVALID',
          message: 'Invalid payload for event "chat" at text: Expected string, received number',
          event: 'chat',
          path: 'text',
          issues: [{ path: 'text', message: 'Expected string, received number' }],
        },
      ]);
      const unsolicited = once<{ code: string }>(client, 'allspark:error');
      client.send('nope', 1);
      expect((await unsolicited).code).toBe('ALLSPARK_EVENT_UNKNOWN');
      const news = once(client, 'news');
      chat.spark(s).emit('news', 'to primus-emitter');
      expect(await news).toBe('to primus-emitter');
      client.on('sum', ({ a, b }: { a: number; b: number }, ack: (err: null, v: number) => void) => ack(null, a * b));
      expect(await chat.spark(s).ask('sum', { a: 6, b: 7 })).toBe(42);
    } finally {
      client.end();
    }
  });
});
