/**
 * `maxBuffered` on every transformer: a client that stops reading while the
 * app writes 64 MiB ignoring `write() === false`. The server holds at most
 * the cap plus one message for it, then closes the spark with
 * ALLSPARK_BUFFER_FULL (or, with `overflow: 'drop'`, keeps it and counts
 * every message it did not queue), while a healthy client keeps getting
 * every broadcast.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { Spark } from '../../core/spark';
import type { AllsparkError } from '../../core/errors';
import { TRANSFORMERS, type TransformerName } from './capabilities';
import { http, loggedError, next, nextSpark, ours, start, stop, take, type Env } from './harness';

const MiB = 1 << 20;
const CAP = 4 * MiB;
const WRITES = 64;
/** One message of the flood: a JSON string of about 1 MiB. */
const CHUNK = 'x'.repeat(MiB - 2);

/** A WebSocket client that reads nothing after the handshake: its socket is paused. */
async function stalledWebSocket(env: Env, path: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${env.port}${path}`);
  ws.on('error', () => undefined);
  env.clients.push({ destroy: () => ws.terminate() });
  await next(ws, 'open');
  socketOf(ws).pause();
  return ws;
}

const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;

interface Stalled {
  name: string;
  /** Open a connection that then stops reading (or polling); a WebSocket's client is returned, to read again. */
  open(env: Env): Promise<WebSocket | void>;
}

const webSocketAt = (path: () => string): Stalled => ({
  name: 'WebSocket that stops reading',
  open: (env) => stalledWebSocket(env, path()),
});

const STALLED: Record<TransformerName, Stalled[]> = {
  websockets: [webSocketAt(() => '/primus')],
  faye: [webSocketAt(() => '/primus')],
  'engine.io': [
    webSocketAt(() => '/primus/?EIO=4&transport=websocket'),
    {
      name: 'polling session that never polls again',
      async open(env) {
        const res = await http(env, 'GET', '/primus/?EIO=4&transport=polling');
        expect(res.status).toBe(200);
      },
    },
  ],
  sockjs: [
    webSocketAt(() => `/primus/000/${randomBytes(4).toString('hex')}/websocket`),
    {
      name: 'xhr session that never polls again',
      async open(env) {
        const res = await http(env, 'POST', `/primus/000/${randomBytes(4).toString('hex')}/xhr`);
        expect(res.body).toBe('o\n');
      },
    },
  ],
};

interface Flood {
  /** Messages sent to the slow spark (direct writes and broadcasts) before it overflowed. */
  beforeOverflow: number;
  /** Messages sent to it in all. */
  total: number;
  /** What `overflow` reported: bytes waiting, and the error. */
  buffered: number;
  error: AllsparkError;
  broadcasts: number;
}

/**
 * Write 64 MiB to `slow`, one message per turn of the event loop, each
 * followed by a broadcast to everyone; never look at `write()`'s result.
 */
async function flood(env: Env, slow: Spark): Promise<Flood> {
  let sent = 0;
  let overflow: { at: number; buffered: number; error: AllsparkError } | undefined;
  env.primus.on('overflow', (spark: Spark, error: AllsparkError, buffered: number) => {
    expect(spark).toBe(slow);
    expect(overflow).toBeUndefined();
    overflow = { at: sent, buffered, error };
  });
  for (let i = 0; i < WRITES; i++) {
    sent++;
    slow.write(CHUNK);
    sent++;
    env.primus.write({ broadcast: i });
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (overflow === undefined) throw new Error('the slow spark never overflowed');
  return { beforeOverflow: overflow.at, total: sent, buffered: overflow.buffered, error: overflow.error, broadcasts: WRITES };
}

/** Every broadcast reached the healthy client, in order. */
async function healthyGotAll(received: Promise<unknown[]>): Promise<void> {
  const got = await received;
  expect(got).toEqual(Array.from({ length: WRITES }, (_, i) => ({ broadcast: i })));
}

describe.each(TRANSFORMERS)('maxBuffered on %s', (transformer) => {
  let env: Env | undefined;
  afterEach(async () => {
    await stop(env);
    env = undefined;
  });

  async function setUp(overflow: 'close' | 'drop'): Promise<{ slowSpark: Promise<Spark>; received: Promise<unknown[]> }> {
    env = await start(transformer, { maxBuffered: CAP, overflow });
    const healthy = ours(env);
    await next(healthy, 'open');
    const received = take(healthy, 'data', WRITES, 30_000);
    return { slowSpark: nextSpark(env), received };
  }

  describe.each(STALLED[transformer].map((s) => [s.name, s] as const))('%s', (_name, stalled) => {
    test('policy close: the spark is closed at the cap with ALLSPARK_BUFFER_FULL; broadcasts go on', async () => {
      const { slowSpark, received } = await setUp('close');
      await stalled.open(env!);
      const slow = await slowSpark;
      const errors: Error[] = [];
      slow.on('error', (err: Error) => errors.push(err));
      const result = await flood(env!, slow);
      expect(result.buffered).toBeGreaterThan(CAP);
      // Cap + the one message that crossed it (+ its framing).
      expect(result.buffered).toBeLessThanOrEqual(CAP + MiB + 64);
      expect(result.error.code).toBe('ALLSPARK_BUFFER_FULL');
      expect(result.error.message).toBe(
        `${result.buffered} bytes wait to be sent to spark ${slow.id}, over maxBuffered (${CAP}): the peer does not read; connection closed`,
      );
      expect(errors).toEqual([result.error]);
      expect(slow.readyState).toBe(env!.primus.Spark.CLOSED);
      expect(env!.primus.connected).toBe(1);
      expect((await loggedError(env!, 'ALLSPARK_BUFFER_FULL')).level).toBe('error');
      await healthyGotAll(received);
    });

    test('policy drop: the spark stays open and every message past the cap is dropped and counted', async () => {
      const { slowSpark, received } = await setUp('drop');
      await stalled.open(env!);
      const slow = await slowSpark;
      const result = await flood(env!, slow);
      expect(result.buffered).toBeGreaterThan(CAP);
      expect(result.buffered).toBeLessThanOrEqual(CAP + MiB + 64);
      expect(result.error.message.endsWith('the peer does not read; dropping messages until it drains')).toBe(true);
      expect(slow.dropped).toBe(result.total - result.beforeOverflow);
      expect(slow.readyState).toBe(env!.primus.Spark.OPEN);
      expect(env!.primus.connected).toBe(2);
      expect((await loggedError(env!, 'ALLSPARK_BUFFER_FULL')).level).toBe('warn');
      await healthyGotAll(received);
    });

    if (stalled.name.startsWith('WebSocket')) {
      test('policy drop: once the client reads again and the spark drains, messages flow again', async () => {
        const { slowSpark } = await setUp('drop');
        const ws = (await stalled.open(env!)) as WebSocket;
        const slow = await slowSpark;
        await flood(env!, slow);
        const dropped = slow.dropped;
        const drained = next(slow, 'drain', 30_000);
        const arrived = new Promise<void>((resolve) => ws.on('message', (data) => String(data).includes('again') && resolve()));
        socketOf(ws).resume();
        await drained;
        expect(slow.write('again')).toBe(true);
        await arrived;
        expect(slow.dropped).toBe(dropped);
      });
    }
  });
});
