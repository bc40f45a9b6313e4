import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { Spark } from '../../index';
import { startKernel, stopAll } from '../helpers/kernel';
import { collect, once } from '../helpers/net';

type Env = Awaited<ReturnType<typeof startKernel>>;
type Wire = Duplex & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };

/** The TCP socket under a spark of the websockets transformer. */
function tcpOf(spark: Spark): Wire {
  return (spark.socket as WebSocket & { _socket: Wire })._socket;
}

async function open(env: Env): Promise<{ ws: WebSocket; spark: Spark }> {
  const ws = new WebSocket(env.url.replace('http', 'ws') + '/primus');
  const [spark] = await Promise.all([once<Spark>(env.kernel, 'connection'), once(ws, 'open')]);
  return { ws, spark };
}

describe('websockets transformer: socket reads', () => {
  let env: Env | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await stopAll(env);
    env = undefined;
  });

  test('replies to the messages of one socket read leave in one write', async () => {
    env = await startKernel((k) => k.on('connection', (s) => s.on('data', (d: unknown) => s.write(d))));
    const { ws, spark } = await open(env);
    sockets.push(ws);
    const tcp = tcpOf(spark);
    let writes = 0;
    for (const method of ['_write', '_writev'] as const) {
      const original = tcp[method];
      tcp[method] = function (this: Wire, ...args: unknown[]) {
        writes++;
        return original.apply(this, args);
      };
    }
    const replies = collect<Buffer>(ws, 'message', 3);
    // One corked client write: the three frames reach the server in one read on loopback.
    const client = (ws as unknown as { _socket: Duplex })._socket;
    client.cork();
    for (const m of ['"a"', '"b"', '"c"']) ws.send(m);
    client.uncork();
    expect((await replies).map(String)).toEqual(['"a"', '"b"', '"c"']);
    expect(writes).toBe(1);
  });

  test('one data listener per socket, removed when ws stops reading (close frame)', async () => {
    env = await startKernel();
    const { ws, spark } = await open(env);
    const tcp = tcpOf(spark);
    expect(tcp.listenerCount('data')).toBe(1);
    const ended = once(spark, 'end');
    ws.close();
    await ended;
    expect(tcp.listenerCount('data')).toBe(0);
  });

  test('an invalid frame closes that connection only; its reader is removed with ws’s', async () => {
    env = await startKernel((k) => k.on('connection', (s) => s.on('data', (d: unknown) => s.write(d))));
    const good = await open(env);
    const bad = await open(env);
    sockets.push(good.ws, bad.ws);
    const tcp = tcpOf(bad.spark);
    const ended = once(bad.spark, 'end');
    // An unmasked client frame is a protocol error (RFC 6455 §5.1).
    (bad.ws as unknown as { _socket: Duplex })._socket.write(Buffer.from([0x81, 0x03, 0x22, 0x78, 0x22]));
    await ended;
    expect(tcp.listenerCount('data')).toBe(0);
    const reply = once<Buffer>(good.ws, 'message');
    good.ws.send('"still here"');
    expect(String(await reply)).toBe('"still here"');
  });
});
