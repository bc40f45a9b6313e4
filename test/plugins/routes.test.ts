import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createKernel, type Kernel } from '../../index';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { heartbeat } from '../../plugins/heartbeat';
import { addLayer, middleware } from '../../plugins/middleware';
import { clientLibrary, scriptAlias } from '../../plugins/client-library';
import { definePlugin } from '../../core/plugin';
import { ErrorCodes } from '../../core/errors';
import type { KernelRequest } from '../../core/http';
import { spec } from '../../plugins/spec';
import { noCachePlugin } from '../../plugins/no-cache';
import { xssPlugin } from '../../plugins/xss';
import { Primus } from '../../index';
import { closeServer, urlOf } from '../helpers/net';
import { rawUpgrade, request, startPrimus, stopPrimus } from './http';

const VERSION: string = require('../../package.json').version;
const NO_CACHE = { 'cache-control': 'no-store, no-cache, must-revalidate, max-age=0', pragma: 'no-cache' };
const IE11 = 'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko';
const IE6 = 'Mozilla/4.0 (compatible;MSIE 6.0;Windows NT 5.1)';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

/** An HTTP server with its own request/upgrade listeners (an "app"), listening on 127.0.0.1:0. */
async function appServer(withListeners: boolean): Promise<Server> {
  const server = createServer();
  if (withListeners) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => res.end(`app saw ${req.method} ${req.url}`));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      socket.end(`HTTP/1.1 418 I'm a Teapot\r\nConnection: close\r\nContent-Length: ${req.url!.length}\r\n\r\n${req.url}`);
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function httpPluginKernel(options: { pathname?: string; heartbeat?: boolean } = {}): Kernel {
  const kernel = createKernel({ pathname: options.pathname }).use(websockets).use(jsonParserPlugin);
  if (options.heartbeat) kernel.use(heartbeat, { pingInterval: 30_000 });
  return kernel.use(middleware).use(spec).use(xssPlugin).use(noCachePlugin);
}

describe('built-in HTTP plugins through the kernel', () => {
  let kernel: Kernel | undefined;
  let server: Server | undefined;
  let url: string;

  async function attach(withListeners: boolean, options: { pathname?: string; heartbeat?: boolean } = {}): Promise<void> {
    server = await appServer(withListeners);
    kernel = httpPluginKernel(options).attach(server);
    url = urlOf(server);
  }

  afterEach(async () => {
    await kernel?.close();
    kernel = undefined;
    if (server) await closeServer(server);
    server = undefined;
  });

  it('serves the spec with the exact body, key order and headers', async () => {
    await attach(false, { heartbeat: true });
    const reply = await request(url, '/primus/spec');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body).toBe(
      `{"pingInterval":30000,"pathname":"/primus","version":"${VERSION}","parser":"json","transformer":"websockets"}`,
    );
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(reply.body)));
    // spec runs before no-cache, as in Primus.
    expect(reply.headers['cache-control']).toBeUndefined();
  });

  it('reports pingInterval false without a heartbeat plugin, and follows the pathname', async () => {
    await attach(false, { pathname: '/live' });
    const reply = await request(url, '/live/spec');
    expect(reply.body).toBe(
      `{"pingInterval":false,"pathname":"/live","version":"${VERSION}","parser":"json","transformer":"websockets"}`,
    );
    expect((await request(url, '/primus/spec')).status).toBe(404);
  });

  it('answers a plain GET on the pathname with 426 and no-cache headers', async () => {
    await attach(false);
    const reply = await request(url, '/primus?x=1');
    expect(reply.status).toBe(426);
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(reply.body).toBe('Upgrade Required');
    expect(reply.headers).toMatchObject(NO_CACHE);
    expect((await request(url, '/primus/anything/below')).status).toBe(426);
  });

  it.each([
    ['IE 11 (trident/) gets X-XSS-Protection: 0', IE11, '0'],
    ['old IE (;msie) gets X-XSS-Protection: 0', IE6, '0'],
    ['Chrome gets none', CHROME, undefined],
    ['no user agent gets none', undefined, undefined],
  ])('x-xss: %s', async (_name, agent, expected) => {
    await attach(false);
    const reply = await request(url, '/primus', { headers: agent === undefined ? {} : { 'User-Agent': agent } });
    expect(reply.headers['x-xss-protection']).toBe(expected);
  });

  it('hands requests outside the pathname to the server\'s own listeners', async () => {
    await attach(true);
    expect((await request(url, '/')).body).toBe('app saw GET /');
    expect((await request(url, '/other?q=1', { method: 'POST' })).body).toBe('app saw POST /other?q=1');
    expect(await rawUpgrade(url, '/chat')).toBe("HTTP/1.1 418 I'm a Teapot\r\nConnection: close\r\nContent-Length: 5\r\n\r\n/chat");
  });

  it('does not capture /primusfoo or /primus-admin (spec §7.7)', async () => {
    await attach(true);
    expect((await request(url, '/primusfoo')).body).toBe('app saw GET /primusfoo');
    expect((await request(url, '/primus-admin/spec')).body).toBe('app saw GET /primus-admin/spec');
    expect(await rawUpgrade(url, '/primusfoo')).toContain('\r\n\r\n/primusfoo');
  });

  it('answers 404 outside the pathname when the server has no listeners, instead of hanging (spec §7.8)', async () => {
    await attach(false);
    const reply = await request(url, '/elsewhere');
    expect(reply.status).toBe(404);
    expect(reply.body).toBe('Not Found');
    const raw = await rawUpgrade(url, '/elsewhere');
    expect(raw).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(raw.endsWith('\r\n\r\n{"error":"Not Found"}')).toBe(true);
  });

  /** A plugin that claims `/health` outside the pathname and answers it. */
  const health = definePlugin({
    name: 'health',
    dependencies: ['middleware'],
    server(ctx) {
      ctx.claimPath('/health');
      addLayer(ctx, 'health', (req: KernelRequest, res: ServerResponse) => req.pathnameOnly === '/health' && (res.end(`health ${req.method}`), true));
    },
  });

  it('routes exactly the path a plugin claims outside the pathname to the kernel, requests only, until plugged out', async () => {
    server = await appServer(true);
    kernel = httpPluginKernel().use(health).attach(server);
    url = urlOf(server);
    expect((await request(url, '/health')).body).toBe('health GET');
    expect((await request(url, '/health?probe=1', { method: 'POST' })).body).toBe('health POST');
    expect((await request(url, '/healthz')).body).toBe('app saw GET /healthz');
    expect((await request(url, '/health/more')).body).toBe('app saw GET /health/more');
    expect(await rawUpgrade(url, '/health')).toContain('\r\n\r\n/health');
    expect(kernel.plugout('health')).toBe(true);
    expect((await request(url, '/health')).body).toBe('app saw GET /health');
  });

  it('refuses a path another plugin claimed already (ALLSPARK_PLUGIN_INVALID)', () => {
    const rival = definePlugin({ name: 'rival', server: (ctx) => ctx.claimPath('/health') });
    const k = httpPluginKernel().use(health);
    expect(() => k.use(rival)).toThrow(expect.objectContaining({ code: ErrorCodes.PLUGIN_INVALID }));
    expect(() => k.use(rival)).toThrow('Plugin "rival" cannot claim the path "/health": plugin "health" serves it');
  });

  it('serves the client library at <pathname>.js only with alias: true', async () => {
    server = await appServer(true);
    kernel = httpPluginKernel({ pathname: '/live' }).use(clientLibrary, { alias: true }).attach(server);
    url = urlOf(server);
    const direct = await request(url, '/live/primus.js');
    const alias = await request(url, '/live.js');
    expect(alias.status).toBe(200);
    expect(alias.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(alias.headers.etag).toBe(direct.headers.etag);
    expect(alias.body).toBe(direct.body);
    expect((await request(url, '/primus.js')).body).toBe('app saw GET /primus.js');
    await kernel.close();
    kernel = httpPluginKernel({ pathname: '/live' }).use(clientLibrary).attach(server);
    expect((await request(url, '/live.js')).body).toBe('app saw GET /live.js');
    expect((await request(url, '/live/primus.js')).status).toBe(200);
  });

  it('names the alias after the pathname; the pathname / has none (its library is /primus.js already)', () => {
    expect(scriptAlias('/primus')).toBe('/primus.js');
    expect(scriptAlias('/rt/')).toBe('/rt.js');
    expect(scriptAlias('/a/b')).toBe('/a/b.js');
    expect(scriptAlias('/')).toBeUndefined();
  });

  it('gives the server its listeners back when closed', async () => {
    await attach(true);
    await kernel!.close();
    kernel = undefined;
    expect((await request(url, '/primus/spec')).body).toBe('app saw GET /primus/spec');
  });
});

describe('built-in HTTP plugins through the Primus facade', () => {
  let primus: Primus | undefined;
  let url: string;

  afterEach(async () => {
    await stopPrimus(primus);
    primus = undefined;
  });

  it('runs the default layers in Primus order', async () => {
    ({ primus } = await startPrimus());
    const names = primus.layers.map((l) => l.name).filter((n) => n !== 'primus.js');
    expect(names).toEqual(['forwarded', 'cors', 'spec', 'x-xss', 'no-cache', 'authorization']);
  });

  it('serves the exact spec JSON (default options)', async () => {
    ({ primus, url } = await startPrimus({ pingInterval: 30_000 }));
    const reply = await request(url, '/primus/spec');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body).toBe(
      `{"pingInterval":30000,"pathname":"/primus","version":"${VERSION}","parser":"json","transformer":"websockets"}`,
    );
    expect(JSON.stringify(primus.spec)).toBe(reply.body);
  });

  it('serves the spec under a custom pathname with heartbeats off', async () => {
    ({ primus, url } = await startPrimus({ pathname: 'realtime', pingInterval: false }));
    const reply = await request(url, '/realtime/spec');
    expect(reply.body).toBe(
      `{"pingInterval":false,"pathname":"/realtime","version":"${VERSION}","parser":"json","transformer":"websockets"}`,
    );
  });

  it('sends no-cache and IE headers on the 426 answer', async () => {
    ({ primus, url } = await startPrimus());
    const reply = await request(url, '/primus', { headers: { 'User-Agent': IE11 } });
    expect(reply.status).toBe(426);
    expect(reply.body).toBe('Upgrade Required');
    expect(reply.headers).toMatchObject({ ...NO_CACHE, 'x-xss-protection': '0' });
  });

  it.each(['websockets', 'sockjs', 'engine.io', 'faye'])(
    '%s: serves the library at /primus.js too, and leaves every other path outside /primus to the server (spec §7.7)',
    async (transformer) => {
      const server = createServer();
      const seen: string[] = [];
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        seen.push(`${req.method} ${req.url}`);
        res.end('app');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      primus = new Primus(server, { transformer, pingInterval: false });
      url = urlOf(server);
      const script = await request(url, '/primus.js?v=1');
      expect(script.status).toBe(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.body).toBe(primus.library());
      expect((await request(url, '/primus.js', { method: 'HEAD' })).status).toBe(200);
      expect((await request(url, '/primusfoo')).body).toBe('app');
      expect((await request(url, '/primus.jsx')).body).toBe('app');
      expect((await request(url, '/primus-admin/primus.js')).body).toBe('app');
      expect(seen).toEqual(['GET /primusfoo', 'GET /primus.jsx', 'GET /primus-admin/primus.js']);
    },
  );

  it('serves the library at <pathname>.js for a custom pathname', async () => {
    ({ primus, url } = await startPrimus({ pathname: '/realtime' }));
    const reply = await request(url, '/realtime.js');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe(primus.library());
    expect((await request(url, '/primus.js')).status).toBe(404);
  });

  it('answers 404 outside the pathname on a server without listeners', async () => {
    ({ primus, url } = await startPrimus());
    const reply = await request(url, '/primusfoo');
    expect(reply.status).toBe(404);
  });

  it('restores the server\'s own listeners on destroy({ close: false })', async () => {
    const server = await appServer(true);
    primus = new Primus(server, { pingInterval: false });
    url = urlOf(server);
    expect((await request(url, '/primus')).status).toBe(426);
    await new Promise<void>((resolve) => primus!.destroy({ close: false }, () => resolve()));
    primus = undefined;
    expect(server.listening).toBe(true);
    expect((await request(url, '/primus')).body).toBe('app saw GET /primus');
    await closeServer(server);
  });
});
