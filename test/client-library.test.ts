import { createServer, request, type Server, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { Primus } from '../facade/primus';
import { createKernel } from '../core/kernel';
import { definePlugin } from '../core/plugin';
import { ErrorCodes } from '../core/errors';
import { websockets } from '../transformers/websockets';
import { jsonParserPlugin } from '../plugins/json-parser';
import { middleware } from '../plugins/middleware';
import { clientLibrary, LIBRARY, type ClientLibrary } from '../plugins/client-library';
import { valueSource, stringSource, functionSource } from '../plugins/client-library/serialise';
import { readChunk } from '../plugins/client-library/chunks';
import { matchesEtag } from '../plugins/client-library/route';
import { ensureBrowserBuild } from './browser/helpers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const build = require('../scripts/build-browser.js') as {
  bundle(entry: { name: string; contents: string }): Promise<string>;
  forbiddenText(text: string): string[];
  discoverEntries(): Array<{ name: string; entry: string }>;
  OUTDIR: string;
};
// eslint-disable-next-line @typescript-eslint/no-var-requires
const size = require('../scripts/library-size.js') as {
  sizeOf(code: string): { raw: number; minified: number; gzip: number };
  libraryOf(P: unknown): string;
  primusLibrary(): string;
  pluginCost(P: unknown, use: (p: Primus) => void): { minified: number; gzip: number };
  LIBRARY_CEILING: number;
};

beforeAll(async () => {
  await ensureBrowserBuild();
});

let server: Server | undefined;
let primus: Primus | undefined;

afterEach(async () => {
  if (primus) await new Promise<void>((resolve) => primus!.destroy({}, () => resolve()));
  primus = undefined;
  server = undefined;
});

async function start(options: Record<string, unknown> = {}): Promise<{ primus: Primus; port: number }> {
  server = createServer();
  primus = new Primus(server, options);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { primus, port: (server.address() as AddressInfo).port };
}

function fetch(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A fake WebSocket: enough for the library to load and build clients in a vm. */
class FakeWebSocket {
  binaryType = 'blob';
  bufferedAmount = 0;
  onopen = null;
  onmessage = null;
  onerror = null;
  onclose = null;
  send(): void {}
  close(): void {}
}

/** Run `source` as a browser would (a classic script), in a fresh context; returns the context. */
function run(source: string, extra: Record<string, unknown> = {}): Record<string, any> {
  const sandbox: Record<string, unknown> = {
    WebSocket: FakeWebSocket,
    URL,
    TextDecoder,
    TextEncoder,
    setTimeout,
    clearTimeout,
    ...extra,
  };
  vm.createContext(sandbox);
  vm.runInContext(source, sandbox, { filename: 'primus.js' });
  return sandbox;
}

describe('GET <pathname>/primus.js', () => {
  it('serves the library with type, length, ETag and revalidation headers', async () => {
    const { primus, port } = await start();
    const res = await fetch(port, '/primus/primus.js');
    expect(res.status).toBe(200);
    expect(res.body).toBe(primus.library());
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body)));
    expect(res.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    // Served before no-cache, as in Primus: the no-cache layer never sees it.
    expect(res.headers.pragma).toBeUndefined();
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    const { port } = await start();
    const { headers } = await fetch(port, '/primus/primus.js');
    const etag = headers.etag!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await fetch(port, '/primus/primus.js', { headers: { 'If-None-Match': ifNoneMatch } });
      expect([ifNoneMatch, res.status, res.body, res.headers.etag]).toEqual([ifNoneMatch, 304, '', etag]);
      expect(res.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    }
    const stale = await fetch(port, '/primus/primus.js', { headers: { 'If-None-Match': '"stale"' } });
    expect(stale.status).toBe(200);
  });

  it('answers HEAD with the headers only, and leaves other methods and paths alone', async () => {
    const { primus, port } = await start();
    const head = await fetch(port, '/primus/primus.js', { method: 'HEAD' });
    expect([head.status, head.body, head.headers['content-length']]).toEqual([
      200,
      '',
      String(Buffer.byteLength(primus.library())),
    ]);
    expect((await fetch(port, '/primus/primus.js', { method: 'POST' })).status).toBe(426);
    expect((await fetch(port, '/primus/primus.jsx')).status).toBe(426);
  });

  it('is what primus.save() writes, with and without a callback', async () => {
    const { primus } = await start();
    const dir = mkdtempSync(join(tmpdir(), 'allspark-library-'));
    try {
      primus.save(join(dir, 'sync.js'));
      await new Promise<void>((resolve, reject) => primus.save(join(dir, 'async.js'), (err) => (err ? reject(err) : resolve())));
      expect(readFileSync(join(dir, 'sync.js'), 'utf8')).toBe(primus.library());
      expect(readFileSync(join(dir, 'async.js'), 'utf8')).toBe(primus.library());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves at a custom pathname', async () => {
    const { port } = await start({ pathname: '/realtime' });
    const res = await fetch(port, '/realtime/primus.js');
    expect(res.status).toBe(200);
    expect(res.body).toContain('__allspark.create("/realtime"');
  });
});

describe('library assembly', () => {
  it('is cached until a plugin is added or removed', async () => {
    const { primus, port } = await start();
    const service = primus.kernel.registry.lookup<ClientLibrary>(LIBRARY)!;
    expect(service.entity()).toBe(service.entity());
    const before = (await fetch(port, '/primus/primus.js')).headers.etag;

    primus.plugin('marker', {
      server() {},
      client: function (client: any) {
        client.marker = 'installed';
      },
      library: 'Primus.prototype.fromLibrary = 42;',
    });
    const added = await fetch(port, '/primus/primus.js');
    expect(added.headers.etag).not.toBe(before);
    expect(added.body).toContain("client.marker = 'installed'");
    expect(added.body).toContain('Primus.prototype.fromLibrary = 42;');

    primus.plugout('marker');
    const removed = await fetch(port, '/primus/primus.js');
    expect(removed.body).not.toContain('installed');
    expect(removed.headers.etag).toBe(before);
  });

  it('follows authorize(): rejected clients stop retrying on a timer', async () => {
    const { primus } = await start();
    expect(primus.library()).toContain('["reconnect",{"strategy":["disconnect","online","timeout"]');
    primus.authorize((_req: unknown, done: () => void) => done());
    expect(primus.library()).toContain('["reconnect",{"strategy":["disconnect","online"]');
  });

  it('defines the configured global, and exports through CommonJS and AMD instead when present', async () => {
    const { primus } = await start({ global: 'Allspark', pingInterval: false });
    const source = primus.library();
    const browser = run(source);
    expect(typeof browser.Allspark).toBe('function');
    expect([browser.Allspark.OPENING, browser.Allspark.CLOSED, browser.Allspark.OPEN]).toEqual([1, 2, 3]);
    const client = new browser.Allspark('http://example.test', { manual: true });
    expect([client.readyState, client.pathname, client instanceof browser.Allspark]).toEqual([2, '/primus', true]);
    expect(browser.Allspark({ manual: true }) instanceof browser.Allspark).toBe(true);

    const commonjs = run(source, { module: { exports: {} } });
    expect(typeof commonjs.module.exports).toBe('function');
    let defined: unknown;
    const define = Object.assign((factory: () => unknown) => (defined = factory()), { amd: {} });
    run(source, { define });
    expect(typeof defined).toBe('function');
  });

  it('ships client options as JavaScript: Infinity and false survive', async () => {
    const { primus } = await start({ pingInterval: false });
    const source = primus.library();
    expect(source).toContain('["heartbeat",{"pingTimeout":false}]');
    const kernel = primus.kernel;
    kernel.use(
      definePlugin({
        name: 'options-probe',
        client: () => undefined,
        library: '__allspark.halves["options-probe"] = function (client, options) { client.probe = options; };',
        clientOptions: () => ({ max: Infinity, min: -Infinity, off: false, list: [1, 'two', null], 'key with space': 0.5 }),
      }),
    );
    const browser = run(primus.library());
    const client = new browser.Primus({ manual: true });
    expect(client.probe).toEqual({ max: Infinity, min: -Infinity, off: false, list: [1, 'two', null], 'key with space': 0.5 });
  });

  it('runs Primus-style client plugins as Primus does, and their library with the class', async () => {
    const { primus } = await start();
    primus.plugin('shorthand', {
      server() {},
      // Method shorthand: Primus ships this as broken code (spec §7.17).
      client(client: any, options: any) {
        client.shorthand = [this === client, options.marker];
      },
      library: 'Primus.prototype.extra = function () { return "extra"; };',
    });
    const browser = run(primus.library());
    const client = new browser.Primus({ manual: true, marker: 7 });
    expect(client.shorthand).toEqual([true, 7]);
    expect(client.extra()).toBe('extra');
  });

  it('gives client halves the Primus class in scope, as Primus’s library did (substream relies on it)', async () => {
    const { primus } = await start();
    primus.plugin('scoped', {
      server() {},
      // Built from text: in this TypeScript file `Primus` would name the imported server class.
      client: new Function('client', 'client.seen = [typeof Primus, Primus.OPEN, client instanceof Primus];') as never,
      library: 'Primus.prototype.fromLibrary = true;',
    });
    primus.plugin('substream', require('substream'));
    const browser = run(primus.library());
    const client = new browser.Primus({ manual: true });
    expect(client.seen).toEqual(['function', 3, true]);
    expect(client.fromLibrary).toBe(true);
    expect(typeof client.substream('foo').write).toBe('function');
    // The Node client (primus.Socket) sees the same.
    const node = new primus.Socket({ manual: true }) as unknown as { seen: unknown[]; destroy(): void };
    expect(node.seen).toEqual(['function', 3, true]);
    node.destroy();
  });

  it('refuses a bound client function instead of shipping "[native code]"', async () => {
    const { primus } = await start();
    primus.plugin('bound', { server() {}, client: function (this: unknown) {}.bind(null) });
    expect(() => primus.library()).toThrow(/plugin "primus-plugin:bound" cannot be sent to browsers: it is a native or bound function/);
  });

  it('warns about a plugin with a Node client half and no browser code, and leaves it out', async () => {
    const kernel = createKernel()
      .use(websockets)
      .use(jsonParserPlugin)
      .use(middleware)
      .use(clientLibrary)
      .use(definePlugin({ name: 'node-only', client: () => undefined }));
    const warnings: unknown[][] = [];
    kernel.on('log', (...args: unknown[]) => warnings.push(args));
    const source = kernel.registry.lookup<ClientLibrary>(LIBRARY)!.source();
    expect(warnings).toEqual([['warn', 'Plugin "node-only" has a client half but no browser code; the browser library leaves it out']]);
    expect(source).not.toContain('node-only"');
    expect(source).toContain('[["websockets",{}],["json-parser",{}]]');
    await kernel.close();
  });

  it('names a missing chunk and how to build it', () => {
    expect(() => readChunk('plugins/nope', 'nope')).toThrow(
      expect.objectContaining({
        code: ErrorCodes.PLUGIN_INVALID,
        message: 'The browser chunk "plugins/nope" of plugin "nope" is missing (dist/browser/plugins/nope.js): run `npm run build`',
      }),
    );
  });

  it('is smaller than Primus 8 for websockets + json + heartbeat + reconnect, minified and gzipped', async () => {
    const ours = size.sizeOf(size.libraryOf(Primus));
    const theirs = size.sizeOf(size.primusLibrary());
    expect(ours.gzip).toBeLessThan(theirs.gzip);
  });

  it('stays at or under its ceiling (8,283 B min+gzip, websockets + json + heartbeat + reconnect + offline)', () => {
    expect(size.LIBRARY_CEILING).toBe(8283);
    const ours = size.sizeOf(size.libraryOf(Primus));
    expect(ours.gzip).toBeLessThanOrEqual(size.LIBRARY_CEILING);
  });

  it('has the events client half only when the events plugin is used, adding at most 1.5 KB min+gzip; rooms add nothing', async () => {
    const { events, rooms } = await import('../index');
    expect(size.libraryOf(Primus)).not.toContain('allspark:error');
    const withEvents = size.pluginCost(Primus, (p) => void p.kernel.use(events));
    expect(withEvents.gzip).toBeGreaterThan(0);
    expect(withEvents.gzip).toBeLessThanOrEqual(1536);
    expect(size.pluginCost(Primus, (p) => void p.kernel.use(rooms))).toEqual({ minified: 0, gzip: 0 });
  });
});

describe('serialisation helpers', () => {
  it('writes values JSON cannot carry', () => {
    const value = { inf: Infinity, neg: -Infinity, nan: NaN, no: false, gone: undefined, date: new Date(0), nested: [{ a: 1 }] };
    const source = valueSource(value, 'p');
    expect(source).toBe('{"inf":Infinity,"neg":-Infinity,"nan":NaN,"no":false,"date":new Date(0),"nested":[{"a":1}]}');
    expect(new Function(`return ${source}`)()).toEqual({ ...value, gone: undefined });
  });

  it('keeps __proto__ an own key', () => {
    const value = JSON.parse('{"__proto__": {"x": 1}}');
    const copy = new Function(`return ${valueSource(value, 'p')}`)();
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it('refuses functions and cycles with the option path', () => {
    expect(() => valueSource({ a: { b: () => 1 } }, 'p')).toThrow(
      'The client options of plugin "p" cannot be sent to browsers: options.a.b is a function',
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => valueSource(cyclic, 'p')).toThrow('options.self is circular');
  });

  it('escapes strings for inline scripts', () => {
    const text = 'a</script><!--b\u2028c\u2029"';
    const source = stringSource(text);
    expect(source).not.toMatch(/<\/script|<!--|\u2028|\u2029/i);
    expect(new Function(`return ${source}`)()).toBe(text);
  });

  it('turns method shorthand into function expressions and keeps other forms', () => {
    const o = {
      plain(a: number) {
        return a + 1;
      },
      async later(a: number) {
        return a;
      },
    };
    expect(functionSource(o.plain, 'p')).toMatch(/^function plain\(a\)/);
    expect(new Function(`return (${functionSource(o.plain, 'p')})`)()(1)).toBe(2);
    expect(functionSource(o.later, 'p')).toMatch(/^async function later\(a\)/);
    const arrow = (x: number) => x * 2;
    expect(functionSource(arrow, 'p')).toBe(arrow.toString());
    expect(() => functionSource(Math.max, 'p')).toThrow(/native or bound/);
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    expect(matchesEtag('"a"', '"a"')).toBe(true);
    expect(matchesEtag('W/"a"', '"a"')).toBe(true);
    expect(matchesEtag('"b" , "a"', '"a"')).toBe(true);
    expect(matchesEtag('*', '"a"')).toBe(true);
    expect(matchesEtag('"b"', '"a"')).toBe(false);
    expect(matchesEtag(undefined, '"a"')).toBe(false);
  });
});

describe('browser build', () => {
  function builtChunks(dir = build.OUTDIR): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? builtChunks(path) : name.endsWith('.js') ? [path] : [];
    });
  }

  it('builds the core chunk and one chunk per folder with a browser.ts', () => {
    const names = build.discoverEntries().map((e) => e.name);
    expect(names[0]).toBe('core');
    expect(names).toEqual(expect.arrayContaining(['transformers/websockets', 'plugins/json-parser', 'plugins/heartbeat', 'plugins/reconnect', 'plugins/offline']));
    for (const name of names) expect(statSync(join(build.OUTDIR, `${name}.js`)).isFile()).toBe(true);
  });

  it('leaves zod, tsyringe, reflect-metadata, ws and Node built-ins out of every chunk', () => {
    const chunks = builtChunks();
    expect(chunks.length).toBeGreaterThanOrEqual(6);
    for (const file of chunks) expect([file, build.forbiddenText(readFileSync(file, 'utf8'))]).toEqual([file, []]);
  });

  it.each([
    ["import { z } from 'zod'; console.log(z)", '"zod" must not be in a browser chunk'],
    ["import { z } from 'zod/v4'; console.log(z)", '"zod/v4" must not be in a browser chunk'],
    ["import 'reflect-metadata'", '"reflect-metadata" must not be in a browser chunk'],
    ["import { container } from 'tsyringe'; console.log(container)", '"tsyringe" must not be in a browser chunk'],
    ["import WebSocket from 'ws'; console.log(WebSocket)", '"ws" must not be in a browser chunk'],
    ["import { EventEmitter } from 'node:events'; console.log(EventEmitter)", '"node:events" must not be in a browser chunk'],
    ["import { createHash } from 'crypto'; console.log(createHash)", '"crypto" must not be in a browser chunk'],
    // A server-side plugin entry drags its schema and transport in.
    ["import { websockets } from './transformers/websockets'; console.log(websockets)", '"zod/v3" must not be in a browser chunk (imported by transformers/options.ts)'],
  ])('fails the build for %s', async (contents, message) => {
    await expect(build.bundle({ name: 'probe', contents })).rejects.toThrow(message);
  });

  it('also rejects forbidden text that reached the output some other way', () => {
    expect(build.forbiddenText('var a=require("fs")')).toEqual(['calls require()']);
    expect(build.forbiddenText('import("node:fs")')).toEqual(['names a node: module']);
    expect(build.forbiddenText('/* zod */ Reflect.getMetadata(x)')).toEqual(['mentions zod', 'mentions reflect-metadata']);
    expect(build.forbiddenText('new WebSocket("ws://x")')).toEqual([]);
  });
});

describe('Primus custom parsers in the library', () => {
  it('ships the encoder and decoder source and runs them in the browser client', async () => {
    const { primus } = await start({
      parser: {
        encoder: function (data: unknown, cb: (err: unknown, out?: unknown) => void) {
          cb(null, '~' + JSON.stringify(data));
        },
        decoder: function (data: string, cb: (err: unknown, out?: unknown) => void) {
          cb(null, JSON.parse(data.slice(1)));
        },
      },
    });
    const context = run(primus.library());
    const client = new context.Primus('http://127.0.0.1:1', { manual: true });
    expect(client.parser.name).toBe('custom');
    expect(client.parser.encode({ a: 1 })).toBe('~{"a":1}');
    expect(client.parser.decode('~[2]')).toEqual([2]);
    client.destroy();
  });
});
