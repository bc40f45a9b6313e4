import { z } from 'zod';
import { createServer } from 'node:http';
import { createKernel, definePlugin, Slots, ErrorCodes, AllsparkError, type Kernel, type Spark } from '../index';
import { websockets } from '../transformers/websockets';
import { jsonParserPlugin } from '../plugins/json-parser';
import { heartbeat } from '../plugins/heartbeat';
import { startKernel, stopAll } from './helpers/kernel';
import { once, onceArgs } from './helpers/net';
import { thrown } from './helpers/errors';

describe('kernel: plugin registration', () => {
  test('use() validates options with zod and names plugin and option path', () => {
    const err = thrown(() => createKernel().use(heartbeat, { pingInterval: 'soon' as unknown as number }));
    expect(err.code).toBe(ErrorCodes.PLUGIN_OPTIONS);
    expect(err.message).toBe('Invalid options for plugin "heartbeat": pingInterval: expected number or false, received string');
  });

  test('unknown option keys are rejected (strict schemas catch typos)', () => {
    const err = thrown(() => createKernel().use(heartbeat, { pingIntervl: 10 } as never));
    expect(err.code).toBe(ErrorCodes.PLUGIN_OPTIONS);
    expect(err.message).toBe('Invalid options for plugin "heartbeat": pingIntervl: unknown option');
  });

  test('nested option paths are named', () => {
    const plugin = definePlugin({
      name: 'nested',
      options: z.object({ limits: z.object({ max: z.number() }).strict() }).strict(),
    });
    const err = thrown(() => createKernel().use(plugin, { limits: { max: 'x' as unknown as number } }));
    expect(err.message).toBe('Invalid options for plugin "nested": limits.max: Expected number, received string');
  });

  test('defaults come from the schema and the options type is inferred', () => {
    let seen: { greeting: string } | undefined;
    const hello = definePlugin({
      name: 'hello',
      options: z.object({ greeting: z.string().default('hi') }).strict(),
      server(_ctx, options) {
        seen = options;
      },
    });
    createKernel().use(hello);
    expect(seen).toEqual({ greeting: 'hi' });
  });

  test('duplicate names, missing dependencies and bad declarations are coded errors', () => {
    const a = definePlugin({ name: 'a' });
    const b = definePlugin({ name: 'b', dependencies: ['a'] });
    expect(thrown(() => createKernel().use(b)).code).toBe(ErrorCodes.PLUGIN_DEPENDENCY);
    expect(thrown(() => createKernel().use(b)).message).toBe('The dependency "a" of plugin "b" is not registered');
    expect(thrown(() => createKernel().use(a).use(a)).code).toBe(ErrorCodes.PLUGIN_DUPLICATE);
    expect(thrown(() => createKernel().use({ name: '' } as never)).code).toBe(ErrorCodes.PLUGIN_INVALID);
    expect(thrown(() => createKernel().use(null as never)).code).toBe(ErrorCodes.PLUGIN_INVALID);
    expect(createKernel().use(a).use(b).has('b')).toBe(true);
  });

  test('kernel options are validated', () => {
    expect(thrown(() => createKernel({ pathname: 'nope' })).code).toBe(ErrorCodes.OPTIONS);
    expect(thrown(() => createKernel({ maxLength: -1 })).message).toMatch(/maxLength/);
    expect(thrown(() => createKernel({ bogus: 1 } as never)).message).toMatch(/bogus/);
  });

  test('the transformer and parser slots are exclusive and required', () => {
    const otherParser = definePlugin({
      name: 'other-parser',
      server(ctx) {
        ctx.provide(Slots.parser, { name: 'x', binary: false, encode: String, decode: String });
      },
    });
    const err = thrown(() => createKernel().use(jsonParserPlugin).use(otherParser));
    expect(err.code).toBe(ErrorCodes.SLOT);
    expect(err.message).toMatch(/"other-parser".*"json-parser" already provides it/);
    expect(thrown(() => createKernel().use(jsonParserPlugin).attach(createServer())).message).toMatch(/No transformer/);
    expect(thrown(() => createKernel().use(websockets).attach(createServer())).message).toMatch(/No parser/);
  });

  test('a kernel with no plugins cannot send a byte: it refuses to attach', () => {
    expect(thrown(() => createKernel().attach(createServer())).code).toBe(ErrorCodes.SLOT);
  });

  test('unknown hook names are rejected', () => {
    const bad = definePlugin({
      name: 'bad-hook',
      server(ctx) {
        ctx.hook('onEverything' as never, (() => undefined) as never);
      },
    });
    expect(thrown(() => createKernel().use(bad)).code).toBe(ErrorCodes.HOOK);
  });

  test('plugout removes hooks, services and emits plugin/plugout events', () => {
    const kernel = createKernel();
    const events: string[] = [];
    kernel.on('plugin', (name) => events.push(`plugin:${name}`));
    kernel.on('plugout', (name) => events.push(`plugout:${name}`));
    let tornDown = false;
    const p = definePlugin({
      name: 'p',
      server(ctx) {
        ctx.hook('onMessage', () => undefined);
        return () => {
          tornDown = true;
        };
      },
    });
    kernel.use(jsonParserPlugin).use(p);
    expect(kernel.hooks.onMessage).toHaveLength(1);
    expect(kernel.plugout('p')).toBe(true);
    expect(kernel.plugout('p')).toBe(false);
    expect(tornDown).toBe(true);
    expect(kernel.hooks.onMessage).toBeNull();
    expect(kernel.plugout('json-parser')).toBe(true);
    expect(kernel.parser).toBeUndefined();
    expect(events).toEqual(['plugin:json-parser', 'plugin:p', 'plugout:p', 'plugout:json-parser']);
  });

  test('parser layers wrap whichever parser fills the slot, in order, and leave with their plugin', async () => {
    const tag = (name: string) =>
      definePlugin({
        name,
        server: (ctx) =>
          ctx.layerParser((inner) => ({
            name: inner.name,
            binary: inner.binary,
            encode: (data, owner) => `${name}(${inner.encode(data, owner) as string})`,
            decode: (frame, owner) => inner.decode(frame, owner),
          })),
      });
    // Layers come before the parser: they wait for it.
    const kernel = createKernel().use(tag('a')).use(tag('b'));
    expect(kernel.parser).toBeUndefined();
    kernel.use(jsonParserPlugin);
    expect(kernel.parser.name).toBe('json');
    expect(kernel.parser.encode({ x: 1 })).toBe('b(a({"x":1}))');
    kernel.plugout('a');
    expect(kernel.parser.encode(1)).toBe('b(1)');
    // A parser plugged in again is layered again.
    kernel.plugout('json-parser');
    kernel.use(jsonParserPlugin);
    expect(kernel.parser.encode(2)).toBe('b(2)');
    kernel.plugout('b');
    expect(kernel.parser.encode(3)).toBe('3');
    // Sparks encode and decode through the layers, as owners.
    const owners: unknown[] = [];
    const watch = definePlugin({
      name: 'watch',
      server: (ctx) =>
        ctx.layerParser((inner) => ({
          name: inner.name,
          binary: inner.binary,
          encode: (data, owner) => (owners.push(owner), inner.encode(data, owner)),
          decode: (frame, owner) => (owners.push(owner), inner.decode(frame, owner)),
        })),
    });
    const env = await startKernel((k) => void k.use(watch));
    try {
      const connected = once<Spark>(env.kernel, 'connection');
      const client = env.client();
      const spark = await connected;
      await once(client, 'open');
      const down = once(client, 'data');
      spark.write('down');
      expect(await down).toBe('down');
      const up = once(spark, 'data');
      client.write('up');
      expect(await up).toBe('up');
      expect(owners.filter((o) => o === spark)).toHaveLength(2);
    } finally {
      await stopAll(env);
    }
  });

  test('registries of two kernels are separate', () => {
    const token = Symbol('svc');
    const provider = definePlugin({ name: 'svc', server: (ctx) => ctx.provide(token, 42) });
    const k1 = createKernel().use(provider);
    const k2 = createKernel();
    expect(k1.registry.lookup(token)).toBe(42);
    expect(k2.registry.lookup(token)).toBeUndefined();
  });
});

describe('kernel: spark decorations', () => {
  let env: Awaited<ReturnType<typeof startKernel>> | undefined;
  afterEach(() => stopAll(env));

  test('decorateSpark adds to this kernel’s sparks only and refuses duplicates', async () => {
    const room = definePlugin({
      name: 'room',
      server: (ctx) =>
        ctx.decorateSpark('room', {
          get(this: { query: Record<string, unknown> }) {
            return this.query.room ?? 'lobby';
          },
        }),
    });
    env = await startKernel((k) => k.use(room));
    const connected = once<{ room?: string }>(env.kernel, 'connection');
    env.client({}, '?room=blue');
    expect((await connected).room).toBe('blue');
    expect('room' in createKernel().Spark.prototype).toBe(false);
    const again = definePlugin({ name: 'again', server: (ctx) => ctx.decorateSpark('room', { value: 1 }) });
    expect(thrown(() => env!.kernel.use(again)).code).toBe(ErrorCodes.PLUGIN_INVALID);
    expect(thrown(() => createKernel().use(definePlugin({ name: 'w', server: (ctx) => ctx.decorateSpark('write', { value: 1 }) }))).message).toMatch(/"write"/);
  });

  test('override replaces a Spark member for this kernel only, never another plugin’s decoration', async () => {
    const masked = definePlugin({
      name: 'masked',
      server: (ctx) => ctx.decorateSpark('address', { get: () => ({ ip: '0.0.0.0', port: 0, secure: false }) }, { override: true }),
    });
    env = await startKernel((k) => k.use(masked));
    const connected = once<{ address: unknown }>(env.kernel, 'connection');
    env.client();
    expect((await connected).address).toEqual({ ip: '0.0.0.0', port: 0, secure: false });
    const plain = new (createKernel().Spark)(env.kernel, { request: { socket: { remoteAddress: '127.0.0.1', remotePort: 9 } }, transport: {} } as never, 'x');
    expect(plain.address).toEqual({ ip: '127.0.0.1', port: 9, secure: false });
    const second = definePlugin({ name: 'second', server: (ctx) => ctx.decorateSpark('address', { value: 1 }, { override: true }) });
    expect(thrown(() => env!.kernel.use(second)).message).toMatch(/cannot decorate sparks with "address"/);
  });
});

describe('kernel: hooks', () => {
  let env: Awaited<ReturnType<typeof startKernel>> | undefined;
  afterEach(() => stopAll(env));

  test('hooks run in registration order unless before/after say otherwise', () => {
    const order: string[] = [];
    const mk = (name: string, opts?: { before?: string[]; after?: string[] }) =>
      definePlugin({ name, server: (ctx) => void ctx.hook('onInit', () => void order.push(name), opts) });
    const kernel = createKernel()
      .use(websockets)
      .use(jsonParserPlugin)
      .use(mk('first'))
      .use(mk('second'))
      .use(mk('third', { before: ['first'] }))
      .use(mk('fourth', { after: ['fifth'] }))
      .use(mk('fifth'));
    kernel.attach(createServer());
    expect(order).toEqual(['third', 'first', 'second', 'fifth', 'fourth']);
    return kernel.close();
  });

  test('lifecycle hooks fire in story order for one connection', async () => {
    const order: string[] = [];
    const spy = definePlugin({
      name: 'spy',
      server(ctx) {
        ctx.hook('onInit', () => void order.push('onInit'));
        ctx.hook('onUpgrade', (_req, _socket, _head, next) => {
          order.push('onUpgrade');
          next();
        });
        ctx.hook('onConnection', () => void order.push('onConnection'));
        ctx.hook('onMessage', () => void order.push('onMessage'));
        ctx.hook('onSend', () => void order.push('onSend'));
        ctx.hook('onDisconnection', () => void order.push('onDisconnection'));
        ctx.hook('onClose', () => void order.push('onClose'));
      },
    });
    env = await startKernel((k) => {
      k.use(spy);
      k.on('connection', (spark) => spark.on('data', (d: unknown) => spark.write(d)));
    });
    const c = env.client();
    c.write('ping');
    await once(c, 'data');
    c.end();
    await once(env.kernel, 'disconnection');
    await env.kernel.close();
    expect(order).toEqual(['onInit', 'onUpgrade', 'onConnection', 'onMessage', 'onSend', 'onDisconnection', 'onClose']);
  });

  test('an async onConnection hook holds incoming messages until it settles', async () => {
    const got: unknown[] = [];
    let ready = false;
    const slow = definePlugin({
      name: 'slow',
      server: (ctx) =>
        void ctx.hook('onConnection', async (spark) => {
          await new Promise((r) => setTimeout(r, 100));
          ready = true;
          spark.on('data', (d: unknown) => got.push([ready, d]));
        }),
    });
    env = await startKernel((k) => k.use(slow));
    const c = env.client();
    c.write(1);
    c.write(2);
    const connection = once(env.kernel, 'connection');
    await connection;
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([
      [true, 1],
      [true, 2],
    ]);
  });

  test('a failing async onConnection hook ends the spark and logs', async () => {
    const failing = definePlugin({
      name: 'failing',
      server: (ctx) =>
        void ctx.hook('onConnection', async () => {
          throw new Error('nope');
        }),
    });
    env = await startKernel((k) => k.use(failing));
    const logged = onceArgs<[string, Error]>(env.kernel, 'log');
    const c = env.client();
    const reconnecting = jest.fn();
    c.on('reconnect scheduled', reconnecting);
    await once(c, 'end');
    const [level, err] = await logged;
    expect(level).toBe('error');
    expect(err.message).toBe('nope');
    expect(reconnecting).not.toHaveBeenCalled();
  });

  test('a hook that throws after an async one ends the spark and logs; later hooks and connection do not run', async () => {
    const later = jest.fn();
    const connected = jest.fn();
    const plugins = definePlugin({
      name: 'mixed',
      server: (ctx) => {
        ctx.hook('onConnection', async () => undefined);
        ctx.hook('onConnection', () => {
          throw { message: 'plain object' };
        });
        ctx.hook('onConnection', later);
      },
    });
    env = await startKernel((k) => k.use(plugins).on('connection', connected));
    const logged = onceArgs<[string, Error]>(env.kernel, 'log');
    const c = env.client();
    await once(c, 'end');
    const [level, err] = await logged;
    expect(level).toBe('error');
    expect(err.message).toBe('plain object');
    expect(later).not.toHaveBeenCalled();
    expect(connected).not.toHaveBeenCalled();
    expect(env.kernel.connected).toBe(0);
  });
});

describe('kernel: HTTP take-over', () => {
  let kernel: Kernel | undefined;
  afterEach(() => kernel?.close());

  test('requests outside the pathname reach the original listeners; /primusfoo is not captured', async () => {
    const server = createServer((_req, res) => res.end('app'));
    kernel = createKernel().use(websockets).use(jsonParserPlugin).attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const app = await fetch(`http://127.0.0.1:${port}/primusfoo`);
    expect(await app.text()).toBe('app');
    const ours = await fetch(`http://127.0.0.1:${port}/primus`);
    expect(ours.status).toBe(426);
    await kernel.close();
    kernel = undefined;
    // Original listeners are given back on close.
    const back = await fetch(`http://127.0.0.1:${port}/primus`, { headers: { connection: 'close' } });
    expect(await back.text()).toBe('app');
    await new Promise((r) => server.close(r));
  });

  test('foreign requests get a 404 instead of hanging when the server had no listener', async () => {
    kernel = createKernel().use(websockets).use(jsonParserPlugin);
    const server = await kernel.listen(0);
    const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/elsewhere`);
    expect(res.status).toBe(404);
  });
});
