import type { Server } from 'node:http';
import { createKernel, clientFor, type Kernel, type Client, type PluginOptions } from '../../index';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { middleware, MIDDLEWARE, type Layers } from '../../plugins/middleware';
import { cors } from '../../plugins/cors';
import { Primus } from '../../index';
import { httpServer, once, urlOf } from '../helpers/net';
import { accessHeaders, request, startPrimus, stopPrimus } from './http';

const DENIED = (origin: string, method: string) =>
  `Invalid HTTP Access Control (CORS) request:\n  Origin: ${origin}\n  Method: ${method}`;

describe('cors plugin (kernel)', () => {
  let kernel: Kernel | undefined;
  let client: Client | undefined;
  let url: string;

  async function start(options?: PluginOptions<typeof cors>): Promise<void> {
    kernel = createKernel().use(websockets).use(jsonParserPlugin).use(middleware).use(cors, options);
    const server: Server = await kernel.listen(0);
    url = urlOf(server);
  }

  afterEach(async () => {
    client?.destroy();
    client = undefined;
    await kernel?.close();
    kernel = undefined;
  });

  it('adds nothing to requests without an Origin header', async () => {
    await start();
    const reply = await request(url, '/primus');
    expect(reply.status).toBe(426);
    expect(reply.body).toBe('Upgrade Required');
    expect(accessHeaders(reply)).toEqual({});
    expect(reply.headers.vary).toBeUndefined();
  });

  it('echoes an allowed origin with Vary and credentials by default', async () => {
    await start();
    const reply = await request(url, '/primus', { headers: { Origin: 'http://example.com' } });
    expect(reply.status).toBe(426);
    expect(accessHeaders(reply)).toEqual({
      'access-control-allow-origin': 'http://example.com',
      'access-control-allow-credentials': 'true',
    });
    expect(reply.headers.vary).toBe('Origin');
  });

  it('matches listed origins case-insensitively and echoes the origin as sent', async () => {
    await start({ origins: ['http://good.example', 'https://other.example'] });
    const reply = await request(url, '/primus', { headers: { Origin: 'HTTP://Good.Example' } });
    expect(reply.status).toBe(426);
    expect(reply.headers['access-control-allow-origin']).toBe('HTTP://Good.Example');
    const second = await request(url, '/primus', { headers: { Origin: 'https://other.example' } });
    expect(second.headers['access-control-allow-origin']).toBe('https://other.example');
  });

  it('reads origins from a comma/space separated string too', async () => {
    await start({ origins: 'http://a.example, http://b.example' });
    expect((await request(url, '/primus', { headers: { Origin: 'http://b.example' } })).status).toBe(426);
    expect((await request(url, '/primus', { headers: { Origin: 'http://c.example' } })).status).toBe(403);
  });

  it('refuses an origin that is not listed: 403 text/plain and no access headers', async () => {
    await start({ origins: 'http://good.example' });
    const reply = await request(url, '/primus', { headers: { Origin: 'http://evil.example' } });
    expect(reply.status).toBe(403);
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(reply.body).toBe(DENIED('http://evil.example', 'GET'));
    expect(accessHeaders(reply)).toEqual({});
    expect(reply.headers.vary).toBeUndefined();
  });

  it('refuses origins containing % even when any origin is allowed', async () => {
    await start();
    const reply = await request(url, '/primus', { headers: { Origin: 'http://exa%6dple.com' } });
    expect(reply.status).toBe(403);
    expect(reply.body).toBe(DENIED('http://exa%6dple.com', 'GET'));
    expect(accessHeaders(reply)).toEqual({});
  });

  it('refuses origins without a scheme, but accepts "null"', async () => {
    await start();
    const bare = await request(url, '/primus', { headers: { Origin: 'example.com' } });
    expect(bare.status).toBe(403);
    expect(bare.body).toBe(DENIED('example.com', 'GET'));
    const sandboxed = await request(url, '/primus', { headers: { Origin: 'null' } });
    expect(sandboxed.status).toBe(426);
    expect(sandboxed.headers['access-control-allow-origin']).toBe('null');
    expect(sandboxed.headers.vary).toBe('Origin');
  });

  it('refuses a method that is not listed', async () => {
    await start({ methods: ['GET', 'HEAD'] });
    const reply = await request(url, '/primus', { method: 'POST', headers: { Origin: 'http://example.com' } });
    expect(reply.status).toBe(403);
    expect(reply.body).toBe(DENIED('http://example.com', 'POST'));
    expect((await request(url, '/primus', { headers: { Origin: 'http://example.com' } })).status).toBe(426);
  });

  it('answers a preflight with the defaults, echoing the requested headers', async () => {
    await start();
    const reply = await request(url, '/primus', {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'x-token, content-type',
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('');
    expect(reply.headers['content-length']).toBe('0');
    expect(accessHeaders(reply)).toEqual({
      'access-control-allow-origin': 'http://example.com',
      'access-control-allow-credentials': 'true',
      'access-control-max-age': '2592000',
      'access-control-allow-methods': 'GET, HEAD, PUT, POST, DELETE, OPTIONS',
      'access-control-allow-headers': 'x-token, content-type',
    });
  });

  it('answers a preflight with the configured headers and methods instead', async () => {
    await start({ headers: ['X-Token', 'Content-Type'], methods: 'get,post,options', exposed: 'X-Id' });
    const reply = await request(url, '/primus', {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'x-other',
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-headers']).toBe('X-Token, Content-Type');
    expect(reply.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    // Expose-Headers belongs to actual requests, not to preflights.
    expect(reply.headers['access-control-expose-headers']).toBeUndefined();
  });

  it('omits Allow-Headers on a preflight when none are configured or requested', async () => {
    await start();
    const reply = await request(url, '/primus', {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.com', 'Access-Control-Request-Method': 'GET' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('treats OPTIONS without Access-Control-Request-Method as an ordinary request', async () => {
    await start();
    const reply = await request(url, '/primus', { method: 'OPTIONS', headers: { Origin: 'http://example.com' } });
    expect(reply.status).toBe(426);
    expect(reply.headers['access-control-max-age']).toBeUndefined();
    expect(reply.headers['access-control-allow-origin']).toBe('http://example.com');
  });

  it('sends * only when any origin is allowed and credentials are off', async () => {
    await start({ credentials: false });
    const reply = await request(url, '/primus', { headers: { Origin: 'http://example.com' } });
    expect(accessHeaders(reply)).toEqual({ 'access-control-allow-origin': '*' });
    expect(reply.headers.vary).toBeUndefined();
  });

  it('echoes the origin without credentials when origins are listed', async () => {
    await start({ credentials: false, origins: ['http://example.com'] });
    const reply = await request(url, '/primus', { headers: { Origin: 'http://example.com' } });
    expect(accessHeaders(reply)).toEqual({ 'access-control-allow-origin': 'http://example.com' });
    expect(reply.headers.vary).toBe('Origin');
  });

  it('exposes the configured headers on actual requests', async () => {
    await start({ exposed: ['X-Id', 'X-Time'] });
    const reply = await request(url, '/primus', { headers: { Origin: 'http://example.com' } });
    expect(reply.headers['access-control-expose-headers']).toBe('X-Id, X-Time');
  });

  it.each([
    ['30 days', '2592000'],
    ['1 hour', '3600'],
    ['2h', '7200'],
    ['1 week', '604800'],
    ['1500', '1'], // a bare number string is milliseconds, as Primus's `millisecond` reads it
    [600, '600'],
  ])('sends maxAge %p as Access-Control-Max-Age %s', async (maxAge, header) => {
    await start({ maxAge });
    const reply = await request(url, '/primus', {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.com', 'Access-Control-Request-Method': 'GET' },
    });
    expect(reply.headers['access-control-max-age']).toBe(header);
  });

  it('sends no Max-Age when maxAge is 0', async () => {
    await start({ maxAge: 0 });
    const reply = await request(url, '/primus', {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.com', 'Access-Control-Request-Method': 'GET' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-max-age']).toBeUndefined();
  });

  it('resolves maxAge to seconds in the validated options', () => {
    kernel = createKernel().use(middleware).use(cors, { maxAge: '1 day' });
    const record = kernel.plugins().find((p) => p.definition.name === 'cors')!;
    expect(record.options).toEqual({
      origins: '*',
      methods: 'GET,HEAD,PUT,POST,DELETE,OPTIONS',
      credentials: true,
      maxAge: 86400,
      headers: '',
      exposed: '',
    });
  });

  it('leaves upgrades alone: a WebSocket from a foreign origin connects', async () => {
    await start({ origins: 'http://good.example' });
    const Socket = clientFor(kernel!);
    client = new Socket(url, { transport: { origin: 'http://evil.example' } });
    const spark = await once<{ headers: Record<string, string> }>(kernel!, 'connection');
    expect(spark.headers.origin).toBe('http://evil.example');
  });

  it('is a layer named "cors" that skips upgrades', () => {
    kernel = createKernel().use(middleware).use(cors);
    const layers = kernel.registry.lookup<Layers>(MIDDLEWARE)!;
    expect(layers.list.map((l) => l.name)).toEqual(['cors']);
    expect(layers.list[0].fn.upgrade).toBe(false);
  });

  it.each([
    [{ origins: 5 }, 'origins'],
    [{ credentials: 'yes' }, 'credentials'],
    [{ maxAge: true }, 'maxAge'],
    [{ maxAge: 'soon' }, 'maxAge: expected a duration such as "30 days"'],
    [{ headers: 7 }, 'headers'],
    [{ origin: '*' }, 'origin'],
  ])('rejects bad options %p naming the plugin and the path', (options, path) => {
    expect.assertions(3);
    try {
      createKernel().use(middleware).use(cors, options as never);
    } catch (err) {
      const e = err as { code: string; message: string };
      expect(e.code).toBe('ALLSPARK_PLUGIN_OPTIONS');
      expect(e.message).toMatch(/^Invalid options for plugin "cors": /);
      expect(e.message).toContain(path);
    }
  });

  it('needs the middleware plugin', () => {
    expect(() => createKernel().use(cors)).toThrow(
      expect.objectContaining({
        code: 'ALLSPARK_PLUGIN_DEPENDENCY',
        message: 'The dependency "middleware" of plugin "cors" is not registered',
      }),
    );
  });
});

describe('cors through the Primus facade', () => {
  let primus: Primus | undefined;

  afterEach(async () => {
    await stopPrimus(primus);
    primus = undefined;
  });

  it('sits between forwarded and spec', async () => {
    ({ primus } = await startPrimus());
    const names = primus.layers.map((l) => l.name);
    expect(names.indexOf('cors')).toBe(names.indexOf('forwarded') + 1);
    expect(names.indexOf('cors')).toBeLessThan(names.indexOf('spec'));
  });

  it('uses Primus defaults: the spec route gets CORS headers, a bad origin gets 403 before it', async () => {
    let url: string;
    ({ primus, url } = await startPrimus());
    const ok = await request(url, '/primus/spec', { headers: { Origin: 'http://example.com' } });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://example.com');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const bad = await request(url, '/primus/spec', { headers: { Origin: 'example.com' } });
    expect(bad.status).toBe(403);
    expect(bad.body).toBe(DENIED('example.com', 'GET'));
  });

  it('passes the Primus CORS options through', async () => {
    let url: string;
    ({ primus, url } = await startPrimus({
      origins: 'http://good.example',
      methods: ['GET', 'OPTIONS'],
      credentials: false,
      maxAge: '1 hour',
      headers: 'X-Token',
      exposed: ['X-Id'],
    }));
    const preflight = await request(url, '/primus', {
      method: 'OPTIONS',
      headers: { Origin: 'http://good.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(200);
    expect(accessHeaders(preflight)).toEqual({
      'access-control-allow-origin': 'http://good.example',
      'access-control-max-age': '3600',
      'access-control-allow-methods': 'GET, OPTIONS',
      'access-control-allow-headers': 'X-Token',
    });
    const actual = await request(url, '/primus', { headers: { Origin: 'http://good.example' } });
    expect(actual.status).toBe(426);
    expect(actual.headers['access-control-expose-headers']).toBe('X-Id');
    const post = await request(url, '/primus', { method: 'POST', headers: { Origin: 'http://good.example' } });
    expect(post.status).toBe(403);
  });

  it('accepts headers/exposed: false (Primus README) as "none"', async () => {
    let url: string;
    ({ primus, url } = await startPrimus({ headers: false, exposed: false }));
    const preflight = await request(url, '/primus', {
      method: 'OPTIONS',
      headers: { Origin: 'http://x.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-a' },
    });
    expect(preflight.headers['access-control-allow-headers']).toBe('x-a');
  });

  it('reports a bad duration as a cors plugin options error', async () => {
    const server = await httpServer();
    try {
      expect(() => new Primus(server, { pingInterval: false, maxAge: 'a while' })).toThrow(
        expect.objectContaining({
          code: 'ALLSPARK_PLUGIN_OPTIONS',
          message: 'Invalid options for plugin "cors": maxAge: expected a duration such as "30 days"',
        }),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('locked headers: the server’s CORS and cache policy wins over the transport’s', () => {
  let primus: Primus | undefined;
  afterEach(async () => {
    await stopPrimus(primus);
    primus = undefined;
  });

  // SockJS echoes any Origin with Allow-Credentials: true on /info and its polling answers;
  // engine.io sets its own Cache-Control. Primus locks the headers its layers set.
  const endpoints = { sockjs: '/primus/info', 'engine.io': '/primus/?EIO=4&transport=polling' } as const;

  it.each(Object.keys(endpoints) as Array<keyof typeof endpoints>)('%s: origins "*", no credentials', async (transformer) => {
    let url: string;
    ({ primus, url } = await startPrimus({ transformer, credentials: false }));
    const reply = await request(url, endpoints[transformer], { headers: { Origin: 'http://evil.example' } });
    expect(reply.status).toBe(200);
    expect(accessHeaders(reply)).toEqual({ 'access-control-allow-origin': '*' });
    expect(reply.headers['cache-control']).toBe('no-store, no-cache, must-revalidate, max-age=0');
    expect(reply.headers.pragma).toBe('no-cache');
  });

  it.each(Object.keys(endpoints) as Array<keyof typeof endpoints>)('%s: listed origins with credentials', async (transformer) => {
    let url: string;
    ({ primus, url } = await startPrimus({ transformer, origins: 'http://good.example', credentials: true }));
    const reply = await request(url, endpoints[transformer], { headers: { Origin: 'http://good.example' } });
    expect(reply.headers['access-control-allow-origin']).toBe('http://good.example');
    expect(reply.headers['access-control-allow-credentials']).toBe('true');
  });

  it('lockHeader: later setHeader, removeHeader and writeHead cannot change, remove or add a locked header', async () => {
    const { lockHeader } = await import('../../plugins/middleware/lock');
    const server = await httpServer();
    server.on('request', (_req, res) => {
      lockHeader(res, 'Cache-Control', 'no-store');
      lockHeader(res, 'Access-Control-Allow-Credentials', undefined);
      res.setHeader('cache-control', 'max-age=60');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.removeHeader('Cache-Control');
      res.setHeader('X-Other', 'kept');
      res.setHeader('X-Gone', 'soon');
      res.removeHeader('X-Gone');
      res.writeHead(200, { 'Cache-Control': 'public', 'X-Also': 'kept' });
      res.end('ok');
    });
    try {
      const reply = await request(urlOf(server), '/');
      expect(reply.headers['cache-control']).toBe('no-store');
      expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
      expect(reply.headers['x-other']).toBe('kept');
      expect(reply.headers['x-also']).toBe('kept');
      expect(reply.headers['x-gone']).toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
