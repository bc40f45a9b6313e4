import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createKernel, definePlugin, PrimusError, type Kernel, type Spark } from '../../index';
import type { KernelRequest } from '../../core/http';
import type { Next } from '../../core/hooks';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { middleware, addLayer, MIDDLEWARE, type Layers } from '../../plugins/middleware';
import { spec } from '../../plugins/spec';
import type { Primus } from '../../index';
import { once, urlOf } from '../helpers/net';
import { rawUpgrade, request, startPrimus, stopPrimus } from './http';

const BAD_MIDDLEWARE = 'Middleware should be a function that accepts at least 2 args';

describe('Primus facade middleware API', () => {
  let primus: Primus;
  let url: string;
  /** Names of the user layers that ran, per request. */
  let ran: string[];

  /** A sync layer that only records it ran. */
  const mark = (name: string) => (_req: KernelRequest, _res: unknown) => void ran.push(name);

  beforeEach(async () => {
    ran = [];
    ({ primus, url } = await startPrimus());
  });

  afterEach(async () => {
    await stopPrimus(primus);
  });

  it('runs a sync (req, res) layer with this = primus; a truthy return ends the chain', async () => {
    let self: unknown;
    primus.use('hello', function (this: unknown, req: KernelRequest, res: ServerResponse) {
      self = this;
      if (req.pathnameOnly !== '/primus/hello') return undefined;
      res.end('hi there');
      return true;
    });
    primus.use('after', mark('after'));
    const hello = await request(url, '/primus/hello');
    expect(hello.body).toBe('hi there');
    expect(self).toBe(primus);
    expect(ran).toEqual([]);
    expect((await request(url, '/primus')).status).toBe(426);
    expect(ran).toEqual(['after']);
  });

  it('waits for an async (req, res, next) layer', async () => {
    primus.use('slow', (_req: KernelRequest, _res: unknown, next: Next) => {
      setTimeout(() => {
        ran.push('slow');
        next();
      }, 20);
    });
    primus.use('after', mark('after'));
    const reply = await request(url, '/primus');
    expect(reply.status).toBe(426);
    expect(ran).toEqual(['slow', 'after']);
  });

  it('an async layer that never calls next has handled the request', async () => {
    primus.use('answer', (_req: KernelRequest, res: ServerResponse, _next: Next) => void res.end('answered'));
    primus.use('after', mark('after'));
    expect((await request(url, '/primus')).body).toBe('answered');
    expect(ran).toEqual([]);
  });

  it('calls a factory (arity < 2) once with this = primus and the options', async () => {
    const calls: unknown[] = [];
    primus.use('greeter', function (this: unknown, options: { greeting: string }) {
      calls.push([this, options]);
      return (req: KernelRequest, res: ServerResponse) => {
        if (req.pathnameOnly !== '/primus/greet') return false;
        res.end(options.greeting);
        return true;
      };
    }, { greeting: 'hey' });
    expect(calls).toEqual([[primus, { greeting: 'hey' }]]);
    expect((await request(url, '/primus/greet')).body).toBe('hey');
    expect((await request(url, '/primus/greet')).body).toBe('hey');
    expect(calls).toHaveLength(1);
  });

  it('gives a factory {} when no options are passed', () => {
    let seen: unknown;
    primus.use('plain', (options: unknown) => {
      seen = options;
      return (_req: KernelRequest, _res: unknown) => undefined;
    });
    expect(seen).toEqual({});
  });

  it('skips layers with fn.http === false on HTTP and fn.upgrade === false on upgrades', async () => {
    primus.use('upgrade-only', Object.assign(mark('upgrade-only'), { http: false }));
    primus.use('http-only', Object.assign(mark('http-only'), { upgrade: false }));
    await request(url, '/primus');
    expect(ran).toEqual(['http-only']);
    ran = [];
    const client = new primus.Socket(url);
    await once(client, 'open');
    expect(ran).toEqual(['upgrade-only']);
    client.destroy();
  });

  it('gives upgrade layers the raw socket as `res`', async () => {
    let socket: unknown;
    primus.use('peek', Object.assign((_req: KernelRequest, res: Duplex) => void (socket = res), { http: false }));
    const client = new primus.Socket(url);
    const spark = await once<Spark>(primus, 'connection');
    expect(socket).toBe(spark.request.socket);
    client.destroy();
  });

  it('replaces a layer of the same name in place, ignoring the index', async () => {
    primus.use('a', mark('a1'));
    primus.use('b', mark('b'));
    const at = primus.indexOfLayer('a');
    primus.use('a', mark('a2'), 0);
    expect(primus.indexOfLayer('a')).toBe(at);
    await request(url, '/primus');
    expect(ran).toEqual(['a2', 'b']);
  });

  it('inserts at an index given in the options or the index slot; out of range appends', async () => {
    const seen: Record<string, unknown> = {};
    const probe = (name: string) => (req: KernelRequest, _res: unknown) => void (seen[name] = req.forwarded);
    primus.use('first', probe('first'), 0);
    primus.use('second', probe('second'), {}, 1);
    primus.use('last', probe('last'), {}, 99);
    const names = primus.layers.map((l) => l.name);
    expect(names.slice(0, 3)).toEqual(['first', 'second', 'forwarded']);
    expect(names[names.length - 1]).toBe('last');
    await request(url, '/primus');
    // Layers before `forwarded` run before req.forwarded is set.
    expect(seen.first).toBeUndefined();
    expect(seen.second).toBeUndefined();
    expect(seen.last).toEqual(expect.objectContaining({ ip: '127.0.0.1' }));
  });

  it('names layers after their function, and anonymous ones never collide', async () => {
    primus.use(function named(_req: KernelRequest, _res: unknown) {
      ran.push('named');
    });
    const before = primus.layers.length;
    primus.use((_req: KernelRequest, _res: unknown) => void ran.push('anon1'));
    primus.use((_req: KernelRequest, _res: unknown) => void ran.push('anon2'));
    expect(primus.indexOfLayer('named')).toBeGreaterThan(-1);
    expect(primus.layers.length).toBe(before + 2);
    const [x, y] = primus.layers.slice(-2).map((l) => l.name);
    expect(x).not.toBe(y);
    expect(x).toMatch(/^pid_\d+/);
    await request(url, '/primus');
    expect(ran).toEqual(['named', 'anon1', 'anon2']);
  });

  it('removes, disables and enables layers by name; unknown names are ignored', async () => {
    primus.use('a', mark('a'));
    primus.use('b', mark('b'));
    primus.disable('a');
    await request(url, '/primus');
    expect(ran).toEqual(['b']);
    primus.enable('a');
    primus.remove('b');
    expect(primus.indexOfLayer('b')).toBe(-1);
    ran = [];
    await request(url, '/primus');
    expect(ran).toEqual(['a']);
    expect(() => primus.remove('nope').disable('nope').enable('nope')).not.toThrow();
    expect(primus.indexOfLayer('nope')).toBe(-1);
  });

  it('can disable a built-in layer (spec) so its route falls through', async () => {
    primus.disable('spec');
    expect((await request(url, '/primus/spec')).status).toBe(426);
    primus.enable('spec');
    expect((await request(url, '/primus/spec')).status).toBe(200);
  });

  it('inserts before a named layer with before()', async () => {
    primus.before('authorization', 'gate', mark('gate'));
    expect(primus.indexOfLayer('gate')).toBe(primus.indexOfLayer('authorization') - 1);
    await request(url, '/primus');
    expect(ran).toEqual(['gate']);
  });

  it('rejects bad middleware with PrimusError', () => {
    const attempts: Array<() => unknown> = [
      () => primus.use('str', 'not a function' as never),
      () => primus.use('undef', () => undefined as never),
      () => primus.use('one-arg', () => ((_req: unknown) => undefined) as never),
      // Primus 1's before(name, fn): Primus 8 has no before(); ours takes (before, name, fn).
      () => primus.before('old-style', (() => undefined) as never, undefined as never),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(PrimusError);
      expect(attempt).toThrow(BAD_MIDDLEWARE);
    }
    expect(primus.indexOfLayer('one-arg')).toBe(-1);
    expect(primus.layers.every((layer) => typeof layer.name === 'string' && typeof layer.fn === 'function')).toBe(true);
  });

  it('refuses a nameless or non-function layer on the kernel API with ALLSPARK_PLUGIN_INVALID', () => {
    const layers = primus.kernel.registry.lookup<Layers>(MIDDLEWARE)!;
    expect(() => layers.add('', mark('x'))).toThrow(expect.objectContaining({ code: 'ALLSPARK_PLUGIN_INVALID' }));
    expect(() => layers.add('x', undefined as never)).toThrow('Middleware layer "x" must be a function that accepts at least 2 args');
    expect(layers.indexOf('x')).toBe(-1);
  });

  it('answers next(err) with {"error": message} and err.statusCode', async () => {
    primus.use('teapot', (_req: KernelRequest, _res: unknown, next: Next) =>
      next(Object.assign(new Error('short and stout'), { statusCode: 418 })),
    );
    const reply = await request(url, '/primus');
    expect(reply.status).toBe(418);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body).toBe('{"error":"short and stout"}');
    expect(reply.headers['content-length']).toBe(String(reply.body.length));
  });

  it('answers next("text") and a throwing layer with 500', async () => {
    primus.use('fail', (req: KernelRequest, _res: unknown, next: Next) => {
      if (req.pathnameOnly === '/primus/throw') throw new Error('boom');
      next('plain text');
    });
    const text = await request(url, '/primus');
    expect([text.status, text.body]).toEqual([500, '{"error":"plain text"}']);
    const thrown = await request(url, '/primus/throw');
    expect([thrown.status, thrown.body]).toEqual([500, '{"error":"boom"}']);
  });

  it('refuses an upgrade on next(err) with a raw HTTP answer, and the client gets `error`', async () => {
    primus.use(
      'no-upgrades',
      Object.assign(
        (_req: KernelRequest, _res: unknown, next: Next) => next(Object.assign(new Error('nope'), { statusCode: 403 })),
        { http: false },
      ),
    );
    expect(await rawUpgrade(url, '/primus')).toBe(
      'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"error":"nope"}',
    );
    const client = new primus.Socket(url, { strategy: false });
    const err = await once<Error>(client, 'error');
    expect(err.message).toBe('Unexpected server response: 403');
    client.destroy();
  });
});

describe('middleware plugin (kernel)', () => {
  let kernel: Kernel | undefined;

  afterEach(async () => {
    await kernel?.close();
    kernel = undefined;
  });

  it('lets plugins place layers by name', async () => {
    const order: string[] = [];
    const probe = (name: string) => (_req: KernelRequest, _res: unknown) => void order.push(name);
    const tagger = definePlugin({
      name: 'tagger',
      dependencies: ['middleware'],
      server(ctx) {
        addLayer(ctx, 'late', probe('late'));
        addLayer(ctx, 'early', probe('early'), { before: 'spec' });
        addLayer(ctx, 'middle', probe('middle'), { after: 'early' });
      },
    });
    kernel = createKernel().use(websockets).use(jsonParserPlugin).use(middleware).use(spec).use(tagger);
    const layers = kernel.registry.lookup<Layers>(MIDDLEWARE)!;
    expect(layers.list.map((l) => l.name)).toEqual(['early', 'middle', 'spec', 'late']);
    const url = urlOf(await kernel.listen(0));
    expect((await request(url, '/primus/spec')).status).toBe(200);
    expect(order).toEqual(['early', 'middle']);
  });

  it('removes a plugin’s layers when it is plugged out, and only its own', async () => {
    const hits: string[] = [];
    const gate = definePlugin({
      name: 'gate',
      dependencies: ['middleware'],
      server(ctx) {
        addLayer(ctx, 'gate', (_req: KernelRequest, res: ServerResponse) => {
          hits.push('gate');
          res.writeHead(418);
          res.end();
          return true;
        });
      },
    });
    kernel = createKernel().use(websockets).use(jsonParserPlugin).use(middleware).use(spec).use(gate);
    const layers = kernel.registry.lookup<Layers>(MIDDLEWARE)!;
    layers.add('unowned', (_req: KernelRequest, _res: unknown) => void hits.push('unowned'));
    const url = urlOf(await kernel.listen(0));
    expect((await request(url, '/primus')).status).toBe(418);
    expect(kernel.plugout('gate')).toBe(true);
    expect(layers.list.map((l) => l.name)).toEqual(['spec', 'unowned']);
    expect((await request(url, '/primus')).status).toBe(426);
    expect(hits).toEqual(['gate', 'unowned']);
    kernel.plugout('spec');
    expect(layers.list.map((l) => l.name)).toEqual(['unowned']);
  });
});
