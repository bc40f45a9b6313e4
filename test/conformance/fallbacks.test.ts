/**
 * The HTTP side of each transformer: `websockets: false` clients, what a
 * plain GET gets, requests for sessions this server does not hold (sticky
 * sessions), headers of sessions opened over HTTP, and CORS on polling.
 */
import { randomBytes } from 'node:crypto';
import { CAPABILITIES, NO_HTTP_FALLBACK, PRIMUS8_SOCKJS_KEEPS_WEBSOCKET, TRANSFORMERS, type TransformerName } from './capabilities';
import { http, loggedError, next, nextSpark, ours, real, start, stop, take, type Env } from './harness';

/** What a plain `GET <pathname>` answers, per transformer (the transport's own answer). */
const PLAIN_GET: Record<TransformerName, { status: number; body: string }> = {
  websockets: { status: 426, body: 'Upgrade Required' },
  faye: { status: 426, body: 'Upgrade Required' },
  'engine.io': { status: 400, body: '{"code":0,"message":"Transport unknown"}' },
  sockjs: { status: 200, body: 'Welcome to SockJS!\n' },
};

/** The transport a spark of a `websockets: false` client runs on. */
function transportOf(transformer: TransformerName, spark: any): string {
  if (transformer === 'engine.io') return spark.socket.transport.name;
  if (transformer === 'sockjs') return spark.socket.protocol;
  return 'websocket';
}

/** A request for a session this server never opened, and the transport's own answer to it. */
const UNKNOWN_SESSION: Partial<Record<TransformerName, { method: string; path: string; status: number }>> = {
  'engine.io': { method: 'GET', path: '/primus/?EIO=4&transport=polling&sid=notasession0000000000', status: 400 },
  sockjs: { method: 'POST', path: '/primus/000/notasess/xhr_send', status: 404 },
};

/**
 * End a session opened by hand and make the poll that fetches its close
 * frame, as a real client would (else the server waits for it on close).
 */
async function closeRaw(env: Env, transformer: TransformerName, spark: any, openBody: string): Promise<void> {
  spark.end();
  if (transformer === 'sockjs') {
    const poll = await http(env, 'POST', spark.request.url);
    expect(poll.body).toMatch(/^a\["\\"primus::server::close\\""\]\n$/);
  } else {
    const { sid } = JSON.parse(openBody.slice(1));
    const poll = () => http(env, 'GET', `/primus/?EIO=4&transport=polling&sid=${sid}`);
    expect((await poll()).body).toBe('4"primus::server::close"');
    // The close packet, after a noop engine.io may slip in.
    expect((await poll()).body.split('\x1e').pop()).toBe('1');
  }
}

describe.each(TRANSFORMERS)('HTTP side: %s', (transformer: TransformerName) => {
  const caps = CAPABILITIES[transformer];
  let env: Env | undefined;

  afterEach(async () => {
    await stop(env);
    env = undefined;
  });

  it('answers a plain GET to the pathname as the transport does', async () => {
    env = await start(transformer);
    const res = await http(env, 'GET', '/primus');
    expect({ status: res.status, body: res.body }).toEqual(PLAIN_GET[transformer]);
  });

  if (caps.httpFallback) {
    it('serves `websockets: false` clients over HTTP only (ours and Primus 8), 1 MB messages included', async () => {
      env = await start(transformer);
      env.primus.on('connection', (spark: any) => spark.on('data', (d: unknown) => spark.write(d)));
      const sparks = take(env.primus, 'connection', 2);
      const a = ours(env, { websockets: false }, '?who=ours');
      const b = real(env, { websockets: false }, '?who=primus');
      const big = 'y'.repeat(1024 * 1024);
      const echoed = Promise.all([take(a, 'data', 2, 15000), take(b, 'data', 2, 15000)]);
      for (const c of [a, b]) {
        c.write({ over: 'http' });
        c.write(big);
      }
      expect(await echoed).toEqual([
        [{ over: 'http' }, big],
        [{ over: 'http' }, big],
      ]);
      const used = Object.fromEntries((await sparks).map((spark: any) => [spark.query.who, transportOf(transformer, spark)]));
      expect(used.ours).not.toBe('websocket');
      // Primus 8's own SockJS client cannot avoid WebSocket (see the constant); its engine.io client can.
      if (transformer === 'sockjs') expect(used.primus).toBe('websocket');
      else expect(used.primus).not.toBe('websocket');
    });
  } else {
    it(`has no HTTP fallback: ${NO_HTTP_FALLBACK}`, async () => {
      env = await start(transformer);
      const res = await http(env, 'POST', '/primus/000/abcdefgh/xhr');
      expect(res.status).toBe(426);
      // A `websockets: false` client still uses WebSocket, as with Primus 8.
      const spark = nextSpark(env);
      ours(env, { websockets: false });
      expect(transportOf(transformer, await spark)).toBe('websocket');
    });
  }

  const unknown = UNKNOWN_SESSION[transformer];
  if (unknown) {
    it('answers a request for an unknown session as the transport does and warns that sticky sessions are needed', async () => {
      env = await start(transformer);
      const res = await http(env, unknown.method, unknown.path, unknown.method === 'POST' ? '["x"]' : undefined, {
        'Content-Type': 'text/plain',
      });
      expect(res.status).toBe(unknown.status);
      const { level, error } = await loggedError(env, 'ALLSPARK_TRANSPORT');
      expect(level).toBe('warn');
      expect(error.message).toMatch(/unknown session/);
      expect(error.message).toMatch(/sticky sessions/);
    });
  } else {
    it('needs no sticky sessions: one WebSocket holds the whole session, a stray HTTP request gets 426', async () => {
      env = await start(transformer);
      const res = await http(env, 'GET', '/primus/?sid=whatever');
      expect(res.status).toBe(426);
      expect(env.logs.filter((l) => l.level === 'warn')).toEqual([]);
    });
  }

  if (caps.httpFallback) {
    it('gives a session opened over HTTP the full headers of its opening request, as plain data', async () => {
      env = await start(transformer);
      const spark = nextSpark(env);
      const headers = { 'x-not-whitelisted': 'yes', cookie: 'a=b', 'user-agent': 'conformance' };
      const opened =
        transformer === 'sockjs'
          ? await http(env, 'POST', `/primus/000/${randomBytes(4).toString('hex')}/xhr?room=1`, undefined, headers)
          : await http(env, 'GET', '/primus/?EIO=4&transport=polling&room=1', undefined, headers);
      expect(opened.status).toBe(200);
      const s = await spark;
      const poll = closeRaw(env, transformer, s, opened.body);
      expect(s.headers['x-not-whitelisted']).toBe('yes');
      expect(s.headers.cookie).toBe('a=b');
      expect(s.headers['user-agent']).toBe('conformance');
      expect(s.query.room).toBe('1');
      expect(s.request.headers).toBe(s.headers);
      expect(Object.keys(s.headers).filter((k) => k === '_via' || k === 'via')).toEqual([]);
      expect(JSON.parse(JSON.stringify(s.headers))).toEqual(s.headers);
      expect(s.address.ip).toBe('127.0.0.1');
      await poll;
    });

    it('answers CORS on its HTTP requests with the Primus `origins` option (cors plugin before the transport)', async () => {
      env = await start(transformer, { origins: 'http://allowed.example' });
      const path = transformer === 'sockjs' ? '/primus/info' : '/primus/?EIO=4&transport=polling';
      const allowed = await http(env, 'GET', path, undefined, { Origin: 'http://allowed.example' });
      expect(allowed.status).toBe(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('http://allowed.example');
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      if (transformer === 'engine.io') await closeRaw(env, transformer, env.primus.kernel.connections.values().next().value, allowed.body);
      const refused = await http(env, 'GET', path, undefined, { Origin: 'http://evil.example' });
      expect(refused.status).toBe(403);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await http(env, 'OPTIONS', path, undefined, {
        Origin: 'http://allowed.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      });
      expect(preflight.status).toBe(200);
      expect(preflight.headers['access-control-allow-origin']).toBe('http://allowed.example');
      expect(preflight.headers['access-control-allow-headers']).toBe('content-type');
    });
  }

  it('heartbeats reach a `websockets: false` client too', async () => {
    env = await start(transformer, { pingInterval: 100 });
    const spark = nextSpark(env);
    const a = ours(env, { websockets: false });
    await take((await spark) as any, 'heartbeat', 3, 5000);
    expect(a.readyState).toBe(3);
    await next(a, 'incoming::ping');
  });
});

describe('sockjs raw WebSocket endpoint', () => {
  let env: Env | undefined;
  afterEach(async () => {
    await stop(env);
    env = undefined;
  });

  it('serves <pathname>/websocket with bare Primus frames, headers and query included', async () => {
    const WebSocket = require('ws');
    env = await start('sockjs');
    const spark = nextSpark(env);
    const ws = new WebSocket(`ws://127.0.0.1:${env.port}/primus/websocket?room=raw`, { headers: { 'x-raw': '1' } });
    ws.on('error', () => undefined);
    env.clients.push({ destroy: () => ws.terminate() });
    await next(ws, 'open');
    const s: any = await spark;
    expect(s.headers['x-raw']).toBe('1');
    expect(s.query.room).toBe('raw');
    const received = next(s, 'data');
    ws.send('"hello"');
    expect(await received).toBe('hello');
    const frame = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
    s.write({ back: true });
    expect(await frame).toBe('{"back":true}');
  });
});
