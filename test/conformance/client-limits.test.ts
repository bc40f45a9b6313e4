/**
 * The client's outgoing bounds: `maxBuffered` when the server stops reading
 * an open connection (on every client transport that can tell what its
 * socket holds), and `queueSize` while it is not connected. Past either, the
 * client drops (and counts) instead of buffering, and says so once with
 * ALLSPARK_BUFFER_FULL.
 */
import type { Duplex } from 'node:stream';
import type { Spark } from '../../core/spark';
import type { AllsparkError } from '../../core/errors';
import type { TransformerName } from './capabilities';
import { next, nextSpark, ours, start, stop, type Env } from './harness';

const MiB = 1 << 20;
const CAP = 2 * MiB;
const CHUNK = 'y'.repeat(MiB / 4);

/** The socket under a spark, once it is a WebSocket (engine.io starts on polling and upgrades). */
async function rawSocketOf(transformer: TransformerName, spark: Spark): Promise<Duplex> {
  if (transformer !== 'engine.io') return spark.request.socket as unknown as Duplex;
  const socket = spark.socket as { transport: { name: string; socket: { _socket: Duplex } }; once(e: string, f: () => void): void };
  if (socket.transport.name !== 'websocket') await next(socket, 'upgrade');
  return socket.transport.socket._socket;
}

// sockjs-client reports nothing about what its socket holds: only `queueSize` bounds it (docs/limits.md).
describe.each(['websockets', 'faye', 'engine.io'] as const)('client maxBuffered on %s', (transformer) => {
  let env: Env | undefined;
  afterEach(async () => {
    await stop(env);
    env = undefined;
  });

  test('a server that stops reading: the client holds the cap + one message, then drops and counts', async () => {
    env = await start(transformer);
    const sparked = nextSpark(env);
    const client = ours(env, { maxBuffered: CAP });
    const errors: AllsparkError[] = [];
    client.on('error', (err: AllsparkError) => errors.push(err));
    await next(client, 'open');
    const raw = await rawSocketOf(transformer, await sparked);
    raw.pause();
    // A paused server socket would never read the client's close frame: drop it when done.
    env.clients.push({ destroy: () => raw.destroy() });
    let written = 0;
    while (written < 256 && client.dropped === 0) {
      client.write(CHUNK);
      written++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(client.dropped).toBe(1);
    const buffered = client.transport.buffered();
    expect(buffered).toBeGreaterThan(CAP);
    expect(buffered).toBeLessThanOrEqual(CAP + MiB / 4 + 64);
    for (let i = 0; i < 40; i++) client.write(CHUNK);
    expect(client.dropped).toBe(41);
    expect(client.transport.buffered()).toBe(buffered);
    expect(errors.map((e) => e.code)).toEqual(['ALLSPARK_BUFFER_FULL']);
    expect(errors[0].message).toBe(
      `${buffered} bytes wait in the socket, over maxBuffered (${CAP}): the server does not read; dropping messages until it drains`,
    );
  });
});

describe('client queueSize', () => {
  let env: Env | undefined;
  afterEach(async () => {
    await stop(env);
    env = undefined;
  });

  test('defaults to 10000 messages; past it the oldest go, with one ALLSPARK_BUFFER_FULL', async () => {
    env = await start('websockets');
    const client = ours(env, { manual: true });
    const errors: AllsparkError[] = [];
    client.on('error', (err: AllsparkError) => errors.push(err));
    for (let i = 0; i < 10_000; i++) expect(client.write(i)).toBe(true);
    expect(client.write(10_000)).toBe(false);
    expect(client.write(10_001)).toBe(false);
    expect(client.buffer.length).toBe(10_000);
    expect(client.buffer[0]).toBe(2);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['ALLSPARK_BUFFER_FULL', '10000 messages wait for the connection, the queueSize: dropping the oldest'],
    ]);
  });
});
