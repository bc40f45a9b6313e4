/**
 * Overload on real sockets: `maxConnections` answers new connections with a
 * 503 on every transformer while open sessions keep working; slowloris and
 * half-open sockets are closed after `handshakeTimeout`; a polling session
 * whose client never comes back ends on the transport's own timer.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Spark } from '../../core/spark';
import { TRANSFORMERS, type TransformerName } from './capabilities';
import { http, next, nextSpark, ours, start, stop, type Env, type RawResponse } from './harness';
import { clientFor, createKernel, jsonParserPlugin, websockets, type Kernel } from '../../index';
import { portOf } from '../helpers/net';

/** A WebSocket upgrade request by hand; resolves with the answer when it is not a 101. */
function upgrade(env: Env, path: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: env.port,
      path,
      agent: false,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('upgraded'));
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const session = () => `/primus/000/${randomBytes(4).toString('hex')}`;

/** Every way a new connection starts on each transformer. */
const OPENERS: Record<TransformerName, Array<[string, (env: Env) => Promise<RawResponse>]>> = {
  websockets: [['WebSocket upgrade', (env) => upgrade(env, '/primus')]],
  faye: [['WebSocket upgrade', (env) => upgrade(env, '/primus')]],
  'engine.io': [
    ['polling handshake', (env) => http(env, 'GET', '/primus/?EIO=4&transport=polling')],
    ['WebSocket handshake', (env) => upgrade(env, '/primus/?EIO=4&transport=websocket')],
  ],
  sockjs: [
    ['xhr session', (env) => http(env, 'POST', `${session()}/xhr`)],
    ['xhr_streaming session', (env) => http(env, 'POST', `${session()}/xhr_streaming`)],
    ['WebSocket session', (env) => upgrade(env, `${session()}/websocket`)],
  ],
};

const echo = (env: Env) => env.primus.on('connection', (spark: Spark) => spark.on('data', (d: unknown) => spark.write(d)));

describe.each(TRANSFORMERS)('maxConnections on %s', (transformer) => {
  let env: Env | undefined;
  afterEach(async () => {
    await stop(env);
    env = undefined;
  });

  test('past it every new connection gets a 503 with a reason; open ones go on; a freed place is taken again', async () => {
    env = await start(transformer, { maxConnections: 2 });
    echo(env);
    const first = ours(env);
    const second = ours(env);
    await Promise.all([next(first, 'open'), next(second, 'open')]);
    expect(env.primus.connected).toBe(2);
    for (const [, open] of OPENERS[transformer]) {
      const res = await open(env);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(JSON.parse(res.body)).toEqual({ error: 'Too many connections: maxConnections (2) are open; try again later' });
    }
    const refusals = env.logs.filter((l) => (l.args[0] as { code?: string }).code === 'ALLSPARK_MAX_CONNECTIONS');
    expect(refusals.map((l) => l.level)).toEqual(['warn']);
    // The open sessions (polling ones included) still work.
    first.write('still here');
    expect(await next(first, 'data')).toBe('still here');
    second.end();
    await new Promise((resolve) => env!.primus.once('disconnection', resolve));
    const third = ours(env);
    await next(third, 'open');
    third.write('in');
    expect(await next(third, 'data')).toBe('in');
  });
});

describe('handshakeTimeout', () => {
  let kernel: Kernel | undefined;
  const clients: Array<{ destroy(): unknown }> = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await kernel?.close();
    kernel = undefined;
  });

  /** A raw socket that sends `head`, then `drip` lines every 100 ms (if any); resolves with what it got and when it closed. */
  function stall(port: number, head: string, drip = false): Promise<{ got: string; ms: number }> {
    return new Promise((resolve) => {
      const t0 = Date.now();
      const socket = connect(port, '127.0.0.1', () => socket.write(head));
      clients.push(socket);
      let i = 0;
      const timer = drip ? setInterval(() => socket.writable && socket.write(`X-${i++}: y\r\n`), 100) : undefined;
      let got = '';
      socket.on('data', (d) => (got += d));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ got, ms: Date.now() - t0 });
      });
    });
  }

  test('silent, half-sent and dripping requests are closed with a 408; healthy clients are served', async () => {
    // kernel.listen's server looks for overdue connections every min(1 s, handshakeTimeout).
    kernel = createKernel({ handshakeTimeout: 300 }).use(websockets).use(jsonParserPlugin);
    kernel.on('connection', (s: Spark) => s.on('data', (d: unknown) => s.write(d)));
    const port = portOf(await kernel.listen(0));
    const results = await Promise.all([
      stall(port, ''),
      stall(port, 'GET /primus HTTP/1.1\r\nHost: x\r\n'),
      stall(port, 'GET /primus HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n'),
      stall(port, 'GET /primus HTTP/1.1\r\nHost: x\r\n', true),
    ]);
    for (const { got, ms } of results) {
      expect(got).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
      // Closed after the timeout, and bounded (generous: the machine is shared).
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(10_000);
    }
    const client = new (clientFor(kernel))(`http://127.0.0.1:${port}`);
    clients.push(client);
    await next(client, 'open');
    client.write('ok');
    expect(await next(client, 'data')).toBe('ok');
  });
});

describe('polling sessions whose client never comes back', () => {
  let env: Env | undefined;
  afterEach(async () => {
    await stop(env);
    env = undefined;
  });

  test('engine.io: ended after pingInterval + pingTimeout', async () => {
    env = await start('engine.io', { transport: { pingInterval: 200, pingTimeout: 200 } });
    const sparked = nextSpark(env);
    expect((await http(env, 'GET', '/primus/?EIO=4&transport=polling')).status).toBe(200);
    const spark = await sparked;
    const t0 = Date.now();
    await next(spark, 'end', 10_000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(env.primus.connected).toBe(0);
  });

  test('sockjs: ended after disconnect_delay', async () => {
    env = await start('sockjs', { transport: { disconnect_delay: 200 } });
    const sparked = nextSpark(env);
    expect((await http(env, 'POST', `${session()}/xhr`)).body).toBe('o\n');
    const spark = await sparked;
    const t0 = Date.now();
    await next(spark, 'end', 10_000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(env.primus.connected).toBe(0);
  });
});
