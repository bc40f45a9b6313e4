import type { IncomingMessage } from 'node:http';
import { createKernel, clientFor, PrimusError, type Client, type Kernel } from '../../index';
import type { KernelRequest } from '../../core/http';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { middleware } from '../../plugins/middleware';
import { forwarded } from '../../plugins/forwarded';
import { authorization } from '../../plugins/authorization';
import type { Primus } from '../../index';
import { delay, once, urlOf } from '../helpers/net';
import { rawUpgrade, request, startPrimus, stopPrimus } from './http';

const PrimusV8 = require('primus');

const NO_CACHE = { 'cache-control': 'no-store, no-cache, must-revalidate, max-age=0', pragma: 'no-cache' };

/** An error as authorizers hand to `done`. */
function denial(message: string, extra: { statusCode?: number; authenticate?: string } = {}): Error {
  return Object.assign(new Error(message), extra);
}

/** Wait for `end`, failing if the client schedules a reconnect before it or within `quiet` ms after. */
async function endsWithoutReconnect(client: Client | { on(e: string, f: (...a: any[]) => void): unknown }, quiet = 250): Promise<Error> {
  let scheduled = 0;
  let error: Error | undefined;
  client.on('reconnect scheduled', () => scheduled++);
  client.on('error', (err: Error) => (error = err));
  await once(client as never, 'end');
  await delay(quiet);
  expect(scheduled).toBe(0);
  expect(error).toBeInstanceOf(Error);
  return error!;
}

describe('authorization through the Primus facade', () => {
  let primus: Primus | undefined;
  let url: string;
  const clients: Array<{ destroy(): unknown }> = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await stopPrimus(primus);
    primus = undefined;
  });

  it('accepts with done(); the authorizer gets this = primus, req.query and req.forwarded', async () => {
    ({ primus, url } = await startPrimus({ trustProxy: true }));
    const seen: Array<{ self: unknown; token: unknown; forwarded: unknown }> = [];
    primus.authorize(function (this: unknown, req: IncomingMessage, done) {
      const r = req as KernelRequest;
      seen.push({ self: this, token: r.query.token, forwarded: r.forwarded });
      done();
    });
    const client = new primus.Socket(url + '/?token=abc', { transport: { headers: { 'X-Forwarded-For': '198.51.100.2' } } });
    clients.push(client);
    await once(client, 'open');
    expect(seen).toEqual([{ self: primus, token: 'abc', forwarded: { ip: '198.51.100.2', port: 0, secure: false } }]);
  });

  it('accepts when an async authorizer resolves', async () => {
    ({ primus, url } = await startPrimus());
    primus.authorize(async (_req, _done) => {
      await delay(10);
    });
    const client = new primus.Socket(url);
    clients.push(client);
    await once(client, 'open');
  });

  it('refuses plain HTTP with 401, {"error": message}, WWW-Authenticate and no-cache headers', async () => {
    ({ primus, url } = await startPrimus());
    primus.authorize((_req, done) => done(denial('Go away', { authenticate: 'Basic realm="primus"' })));
    const reply = await request(url, '/primus');
    expect(reply.status).toBe(401);
    expect(reply.body).toBe('{"error":"Go away"}');
    expect(reply.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': '19',
      'www-authenticate': 'Basic realm="primus"',
      ...NO_CACHE,
    });
  });

  it('drops a WWW-Authenticate value with a line break instead of splitting the answer', async () => {
    ({ primus, url } = await startPrimus());
    primus.authorize((_req, done) => done(denial('nope', { authenticate: 'Basic\r\nX-Injected: 1' })));
    const reply = await request(url, '/primus');
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBeUndefined();
    expect(reply.headers['x-injected']).toBeUndefined();
    const upgrade = await rawUpgrade(url, '/primus');
    expect(upgrade.startsWith('HTTP/1.1 401 Unauthorized\r\n')).toBe(true);
    expect(upgrade).not.toMatch(/X-Injected|WWW-Authenticate/i);
  });

  it('uses err.statusCode, and sends WWW-Authenticate only with 401', async () => {
    ({ primus, url } = await startPrimus());
    primus.authorize((_req, done) => done(denial('Forbidden fruit', { statusCode: 403, authenticate: 'Basic' })));
    const reply = await request(url, '/primus');
    expect(reply.status).toBe(403);
    expect(reply.body).toBe('{"error":"Forbidden fruit"}');
    expect(reply.headers['www-authenticate']).toBeUndefined();
  });

  it('accepts strings and plain objects as errors, as Primus does', async () => {
    ({ primus, url } = await startPrimus());
    let next: unknown = 'go away';
    primus.authorize((_req, done) => done(next));
    expect(await request(url, '/primus')).toMatchObject({ status: 401, body: '{"error":"go away"}' });
    next = { message: 'not today', statusCode: 429 };
    expect(await request(url, '/primus')).toMatchObject({ status: 429, body: '{"error":"not today"}' });
    next = { message: 'log in first', authenticate: 'Basic realm="x"' };
    const reply = await request(url, '/primus');
    expect(reply).toMatchObject({ status: 401, body: '{"error":"log in first"}' });
    expect(reply.headers['www-authenticate']).toBe('Basic realm="x"');
  });

  it('refuses when an async authorizer rejects', async () => {
    ({ primus, url } = await startPrimus());
    primus.authorize(async (_req, _done) => {
      await delay(5);
      throw denial('Token expired', { statusCode: 403 });
    });
    expect(await request(url, '/primus')).toMatchObject({ status: 403, body: '{"error":"Token expired"}' });
  });

  it('answers a throwing authorizer with 401 and keeps serving', async () => {
    ({ primus, url } = await startPrimus());
    let calls = 0;
    primus.authorize((_req, done) => {
      if (++calls === 1) throw new Error('authorizer bug');
      done();
    });
    expect(await request(url, '/primus')).toMatchObject({ status: 401, body: '{"error":"authorizer bug"}' });
    expect((await request(url, '/primus')).status).toBe(426);
  });

  it('ignores a second call of done', async () => {
    ({ primus, url } = await startPrimus());
    primus.authorize((_req, done) => {
      done(denial('first'));
      done();
    });
    expect(await request(url, '/primus')).toMatchObject({ status: 401, body: '{"error":"first"}' });
  });

  it('refuses the WebSocket upgrade with a raw 401 answer', async () => {
    ({ primus, url } = await startPrimus());
    primus.authorize((_req, done) => done(denial('Go away', { authenticate: 'Bearer' })));
    expect(await rawUpgrade(url, '/primus?_primuscb=x')).toBe(
      'HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 19\r\n' +
        'WWW-Authenticate: Bearer\r\n\r\n{"error":"Go away"}',
    );
  });

  it('our client gets `error` and ends without reconnecting', async () => {
    ({ primus, url } = await startPrimus());
    primus.authorize((_req, done) => done(denial('Go away')));
    const client = new primus.Socket(url, { reconnect: { min: 20, max: 40 } });
    clients.push(client);
    expect([...(client as unknown as { recovery: { strategy: Set<string> } }).recovery.strategy]).toEqual([
      'disconnect',
      'online',
    ]);
    const err = await endsWithoutReconnect(client);
    expect(err.message).toBe('Unexpected server response: 401');
  });

  it('a Socket built before authorize() is rebuilt with the authorized strategy', async () => {
    ({ primus, url } = await startPrimus());
    const before = primus.Socket;
    primus.authorize((_req, done) => done(denial('Go away')));
    expect(primus.Socket).not.toBe(before);
    const client = new primus.Socket(url);
    clients.push(client);
    await endsWithoutReconnect(client);
  });

  it('the authorization option works like authorize()', async () => {
    ({ primus, url } = await startPrimus({ authorization: (_req, done) => done(denial('Nope')) }));
    expect(await request(url, '/primus')).toMatchObject({ status: 401, body: '{"error":"Nope"}' });
    const client = new primus.Socket(url);
    clients.push(client);
    await endsWithoutReconnect(client);
  });

  it('the real Primus 8 client gets `error` and ends', async () => {
    ({ primus, url } = await startPrimus());
    primus.authorize((_req, done) => done(denial('Go away')));
    const Socket = PrimusV8.createSocket({ transformer: 'websockets', authorization: true });
    const client = new Socket(url, { reconnect: { min: 20, max: 40 } });
    clients.push(client);
    expect(client.options.strategy).toBe('disconnect,online');
    const err = await endsWithoutReconnect(client);
    expect(err.message).toBe('Unexpected server response: 401');
  });

  it('keeps the spec route public, as in Primus', async () => {
    ({ primus, url } = await startPrimus());
    primus.authorize((_req, done) => done(denial('Go away')));
    expect((await request(url, '/primus/spec')).status).toBe(200);
  });

  it('validates authorize() arguments with Primus messages', async () => {
    ({ primus, url } = await startPrimus());
    expect(() => primus!.authorize('nope' as never)).toThrow(new PrimusError('Authorize only accepts functions'));
    expect(() => primus!.authorize(((_req: unknown) => undefined) as never)).toThrow(
      new PrimusError('Authorize function requires more arguments'),
    );
    expect(primus.auth).toBeNull();
  });
});

describe('authorization plugin (kernel)', () => {
  let kernel: Kernel | undefined;
  const clients: Client[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await kernel?.close();
    kernel = undefined;
  });

  it('runs the authorizer from its options on HTTP and upgrades', async () => {
    const kinds: string[] = [];
    kernel = createKernel()
      .use(websockets)
      .use(jsonParserPlugin)
      .use(middleware)
      .use(forwarded)
      .use(authorization, {
        authorize(req, done) {
          kinds.push(req.headers.upgrade ? 'upgrade' : 'http');
          if ((req as KernelRequest).query.key === 'open-sesame') done();
          else done(denial('Who goes there?'));
        },
      });
    const url = urlOf(await kernel.listen(0));
    expect(await request(url, '/primus')).toMatchObject({ status: 401, body: '{"error":"Who goes there?"}' });
    const Socket = clientFor(kernel);
    const client = new Socket(url + '/?key=open-sesame');
    clients.push(client);
    await once(client, 'open');
    expect(kinds).toEqual(['http', 'upgrade']);
  });
});
