import type { Server } from 'node:http';
import { Primus, ErrorCodes, type Spark } from '../index';
import { httpServer, urlOf, once, collect, delay, closeServer } from './helpers/net';

describe('require("allspark")', () => {
  test('is the Primus class, with the kernel API and plugins on it', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const allspark = require('../index');
    expect(allspark).toBe(Primus);
    expect(allspark.Primus).toBe(Primus);
    expect(allspark.default).toBe(Primus);
    for (const name of ['createKernel', 'definePlugin', 'websockets', 'jsonParserPlugin', 'heartbeat', 'reconnect', 'middleware', 'authorization', 'createServer', 'createSocket', 'Spark']) {
      expect(typeof allspark[name]).not.toBe('undefined');
    }
    expect(Primus.prototype.version).toBeUndefined();
    // The other transformers load on first access.
    expect(allspark.sockjs.name).toBe('sockjs');
    expect(allspark.engineio.name).toBe('engine.io');
    expect(allspark.faye.name).toBe('faye');
    expect(allspark.msgpackParser.name).toBe('msgpack-parser');
    expect(allspark.binaryParser.name).toBe('binary-parser');
    expect(allspark.ejsonParser.name).toBe('ejson-parser');
    expect(allspark.cors.name).toBe('cors');
    expect(allspark.offline.name).toBe('offline');
    expect(allspark.clientLibrary.name).toBe('client-library');
  });
});

describe('new Primus(server, options)', () => {
  let http: Server;
  let primus: InstanceType<typeof Primus> | undefined;
  const clients: Array<{ destroy(): unknown }> = [];
  beforeEach(async () => {
    http = await httpServer();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    if (primus) await new Promise<void>((r) => primus!.destroy(() => r()));
    primus = undefined;
    await closeServer(http);
  });
  const connect = (query = '') => {
    const c = new primus!.Socket(urlOf(http, query), { reconnect: { min: 20, max: 50 } });
    clients.push(c);
    return c;
  };

  test('Primus defaults, version, spec, and callable without new', () => {
    primus = (Primus as unknown as (s: Server) => InstanceType<typeof Primus>)(http);
    expect(primus).toBeInstanceOf(Primus);
    expect(primus.pathname).toBe('/primus');
    expect(primus.version).toBe(require('../package.json').version);
    expect(primus.spec).toEqual({
      pingInterval: 30000,
      pathname: '/primus',
      version: primus.version,
      parser: 'json',
      transformer: 'websockets',
    });
    expect(primus.options.global).toBe('Primus');
  });

  test('the caller’s options object is not mutated', () => {
    const options = { pathname: '/rt' };
    primus = new Primus(http, options);
    expect(options).toEqual({ pathname: '/rt' });
    expect(primus.pathname).toBe('/rt');
  });

  test('bad options fail fast with clear errors', () => {
    expect(() => new Primus(undefined as never)).toThrow('The first argument of the constructor must be an HTTP or HTTPS server instance');
    expect(() => new Primus(http, { timeout: 10 } as never)).toThrow('The `timeout` option has been removed');
    expect(() => new Primus(http, { transformer: 'carrier-pigeon' })).toThrow('Unsupported transformer: "carrier-pigeon"');
    expect(() => new Primus(http, { parser: 'xml' })).toThrow('Unsupported parser: "xml"');
    let err: Error & { code?: string } = new Error();
    try {
      new Primus(http, { pingInterval: 'often' as never });
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err.code).toBe(ErrorCodes.OPTIONS);
    expect(err.message).toMatch(/Invalid options for Primus: pingInterval: /);
  });

  test('unknown option keys are kept for Primus-style plugins', () => {
    let seen: unknown;
    primus = new Primus(http, {
      myPluginSetting: 42,
      plugin: { reader: { server: (_p: unknown, options: { myPluginSetting: number }) => (seen = options.myPluginSetting) } },
    } as never);
    expect(seen).toBe(42);
    expect(Object.keys(primus.plugin())).toEqual(['reader']);
  });

  test('custom parser objects work as in Primus', async () => {
    primus = new Primus(http, {
      parser: {
        encoder: (data: unknown, cb: (e: unknown, v?: unknown) => void) => cb(null, 'X' + JSON.stringify(data)),
        decoder: (data: unknown, cb: (e: unknown, v?: unknown) => void) => cb(null, JSON.parse(String(data).slice(1))),
      },
    });
    primus.on('connection', (spark: Spark) => spark.on('data', (d: unknown) => spark.write(d)));
    expect(primus.spec.parser).toBe('custom');
    const c = connect();
    c.write({ round: 'trip' });
    expect(await once(c, 'data')).toEqual({ round: 'trip' });
  });

  test('events: initialised, connection (async-aware), disconnection before the spark’s end', async () => {
    primus = new Primus(http);
    const order: string[] = [];
    await once(primus, 'initialised');
    primus.on('connection', (spark: Spark, next: (err?: Error) => void) => {
      order.push('first listener');
      setTimeout(() => {
        spark.on('data', (d: unknown) => order.push(`data:${d}`));
        next();
      }, 50);
    });
    primus.on('connection', (spark: Spark) => {
      order.push('second listener');
      spark.on('end', () => order.push('spark end'));
    });
    primus.on('disconnection', () => order.push('disconnection'));
    const c = connect();
    c.write('early'); // arrives while the async listener runs: held, then delivered
    await once(primus, 'connection');
    while (!order.includes('data:early')) await delay(5);
    c.end();
    while (!order.includes('spark end')) await delay(5);
    expect(order).toEqual(['first listener', 'second listener', 'data:early', 'disconnection', 'spark end']);
  });

  test('an async connection listener failing ends the spark with the close message', async () => {
    primus = new Primus(http);
    primus.on('connection', (_spark: Spark, next: (err?: Error) => void) => next(new Error('not today')));
    const logged = once(primus, 'log');
    const c = connect();
    await once(c, 'end');
    expect(await logged).toBe('error');
  });

  test('write broadcasts; forEach sync stops on false; async forEach walks all', async () => {
    primus = new Primus(http);
    const cs = [connect(), connect(), connect()];
    await Promise.all(cs.map((c) => once(c, 'open')));
    while (primus.connected < 3) await delay(5);
    const got = Promise.all(cs.map((c) => once(c, 'data')));
    primus.write({ all: true });
    expect(await got).toEqual([{ all: true }, { all: true }, { all: true }]);
    let visited = 0;
    primus.forEach(() => ++visited < 2);
    expect(visited).toBe(2);
    const ids: string[] = [];
    await new Promise<void>((resolve, reject) =>
      primus!.forEach(
        (spark: Spark, next: (err?: unknown) => void) => {
          ids.push(spark.id);
          setTimeout(next, 1);
        },
        (err?: unknown) => (err ? reject(err) : resolve()),
      ),
    );
    expect(ids.sort()).toEqual(Object.keys(primus.connections).sort());
    expect(primus.spark(ids[0])?.id).toBe(ids[0]);
  });

  test('parsers() swaps the parser at runtime; spark.emits and spark.reserved', async () => {
    primus = new Primus(http);
    primus.on('connection', (spark: Spark) => {
      // The event the relay emits, typed inline for this one spark.
      const relaying = spark as Spark & { on(event: 'relayed', fn: (v: unknown) => void): Spark };
      const relay = spark.emits('relayed', (next: (err?: unknown, v?: unknown) => void, value: unknown) => next(undefined, { relayed: value }));
      relaying.on('relayed', (v: unknown) => spark.write(v));
      spark.on('data', relay);
      expect(spark.reserved('data')).toBe(true);
      expect(spark.reserved('incoming::pong')).toBe(true);
      expect(spark.reserved('chat')).toBe(false);
    });
    const c = connect();
    c.write('x');
    expect(await once(c, 'data')).toEqual({ relayed: 'x' });
    expect(c.reserved('reconnect scheduled')).toBe(true);
    expect(c.reserved('chat')).toBe(false);
    c.destroy();
    primus.parsers('msgpack');
    expect(primus.spec.parser).toBe('msgpack');
    const binary = connect();
    binary.write({ bytes: 1 });
    expect(await once(binary, 'data')).toEqual({ relayed: { bytes: 1 } });
  });

  test('reserved event names', () => {
    primus = new Primus(http);
    for (const name of ['incoming::data', 'outgoing::ping', 'connection', 'disconnection', 'initialised', 'plugin', 'plugout', 'close', 'log']) {
      expect(primus.reserved(name)).toBe(true);
    }
    expect(primus.reserved('chat')).toBe(false);
  });

  test('Primus-style plugins: server and client halves, plugout, exact errors', async () => {
    primus = new Primus(http);
    const seen: string[] = [];
    primus.on('plugin', (name: string) => seen.push(`plugin:${name}`));
    primus.on('plugout', (name: string) => seen.push(`plugout:${name}`));
    primus.plugin('greeter', {
      server(p: InstanceType<typeof Primus>) {
        p.on('connection', (spark: Spark) => spark.write('hello from plugin'));
      },
      client(client: { on(e: 'data', f: (d: unknown) => void): void; greeted?: boolean }) {
        client.on('data', (d) => {
          if (d === 'hello from plugin') client.greeted = true;
        });
      },
    });
    const c = connect() as unknown as { greeted?: boolean; on: (e: string, f: () => void) => void; once: (e: string, f: () => void) => void };
    await once(c, 'data');
    expect(c.greeted).toBe(true);
    expect(() => primus!.plugin('greeter', { server() {} })).toThrow('Plugin name already defined');
    expect(() => primus!.plugin('', { server() {} })).toThrow('Plugin name must be a non empty string');
    expect(() => primus!.plugin('x', 5 as never)).toThrow('Plugin should be an object or function');
    expect(() => primus!.plugin('x', {} as never)).toThrow('Plugin is missing a client or server function');
    expect(primus.plugout('greeter')).toBe(true);
    expect(primus.plugout('greeter')).toBe(false);
    expect(seen).toEqual(['plugin:greeter', 'plugout:greeter']);
  });

  test('primus.Spark is this server’s own class: prototype methods and initialise stay local', async () => {
    primus = new Primus(http);
    const other = new Primus(await httpServer());
    try {
      expect(primus.Spark).not.toBe(Primus.Spark);
      expect(primus.Spark).not.toBe(other.Spark);
      expect(primus.Spark.prototype).toBeInstanceOf(Primus.Spark);
      const proto = primus.Spark.prototype as Spark & { join?: unknown; initialise?: unknown };
      proto.join = function (this: Spark & { rooms: Set<string> }, room: string) {
        this.rooms.add(room);
        return this;
      };
      const calls: string[] = [];
      const first = function (this: Spark & { rooms?: Set<string> }) {
        calls.push('first');
        this.rooms = new Set();
      };
      const second = function (this: Spark & { rooms?: Set<string> }) {
        calls.push(`second:${this.rooms?.size}`);
      };
      proto.initialise = first;
      proto.initialise = second;
      proto.initialise = 'not a function';
      expect(proto.initialise).toBe(second);
      expect('join' in other.Spark.prototype).toBe(false);

      const connected = once<Spark & { join(room: string): unknown; rooms: Set<string> }>(primus, 'connection');
      connect();
      const spark = await connected;
      expect(calls).toEqual(['first', 'second:0']);
      expect(spark).toBeInstanceOf(primus.Spark);
      expect(spark).toBeInstanceOf(Primus.Spark);
      spark.join('lobby');
      expect([...spark.rooms]).toEqual(['lobby']);
    } finally {
      await new Promise<void>((r) => other.destroy(() => r()));
    }
  });

  test('Primus’s prototype helpers and reserved.events, local to one server', async () => {
    primus = new Primus(http);
    const other = new Primus(await httpServer());
    try {
      const S = primus.Spark as typeof Spark & {
        writable(name: string, value: unknown): unknown;
        readable(name: string, value: unknown): unknown;
        get(name: string, getter: () => unknown): unknown;
      };
      S.writable('shout', function (this: Spark, text: string) {
        return `${this.id}:${text.toUpperCase()}`;
      });
      S.readable('kind', 'spark');
      S.writable('limits', { value: 3 });
      const accessorLike = { get: () => 1 };
      S.writable('options', accessorLike);
      S.get('twice', function (this: Spark & { kind: string }) {
        return this.kind + this.kind;
      });
      const proto = S.prototype as unknown as Record<string, unknown>;
      expect(Object.getOwnPropertyDescriptor(proto, 'shout')).toMatchObject({ writable: true, enumerable: false });
      expect(Object.getOwnPropertyDescriptor(proto, 'kind')).toMatchObject({ writable: false, enumerable: false, configurable: false });
      expect('shout' in other.Spark.prototype).toBe(false);
      expect(proto.limits).toBe(3);
      expect(proto.options).toBe(accessorLike);

      primus.Spark.prototype.reserved.events.joinroom = 1;
      primus.reserved.events.roomsupdate = 1;
      expect(primus.Spark.prototype.reserved('joinroom')).toBe(true);
      expect(other.Spark.prototype.reserved('joinroom')).toBe(false);
      expect(primus.reserved('roomsupdate')).toBe(true);
      expect(other.reserved('roomsupdate')).toBe(false);
      expect(primus.reserved('incoming::data')).toBe(true);

      const connected = once<Spark & { shout(t: string): string; twice: string }>(primus, 'connection');
      connect();
      const spark = await connected;
      expect(spark.shout('hi')).toBe(`${spark.id}:HI`);
      expect(spark.twice).toBe('sparkspark');
      expect(spark.reserved('joinroom')).toBe(true);
      expect(spark.reserved('data')).toBe(true);
    } finally {
      await new Promise<void>((r) => other.destroy(() => r()));
    }
  });

  test('highWaterMark reaches the transformer; without it the transformer default applies', () => {
    const optionsOf = (p: InstanceType<typeof Primus>, name: string) =>
      [...p.kernel.plugins()].find((entry) => entry.definition.name === name)!.options as { highWaterMark: number };
    primus = new Primus(http, { transformer: 'sockjs', highWaterMark: 4096 });
    expect(optionsOf(primus, 'sockjs').highWaterMark).toBe(4096);
    primus.destroy({ close: false });
    primus = new Primus(http);
    expect(optionsOf(primus, 'websockets').highWaterMark).toBe(1 << 20);
    expect(() => new Primus(http, { highWaterMark: -1 })).toThrow(/highWaterMark/);
  });

  test('Primus.createSocket runs no server half, validates client options and takes a plugin module list', async () => {
    const { definePlugin, websockets } = await import('../index');
    const server = jest.fn();
    const { transformerOptions } = await import('../transformers/options');
    const spyTransport = definePlugin({ name: 'spy-transport', options: transformerOptions, server, client: websockets.client });
    const Socket = Primus.createSocket({ transformer: spyTransport as never, plugin: 'primus-emit' });
    expect(server).not.toHaveBeenCalled();
    const client = new Socket('http://127.0.0.1:1', { manual: true }) as unknown as { emit(e: string, ...a: unknown[]): boolean; destroy(): void };
    // primus-emit's client half replaced emit: a non-reserved event becomes a write, queued while closed.
    expect(client.emit('hello', 1)).toBe(true);
    expect((client as unknown as { buffer: unknown[] }).buffer).toEqual([{ emit: ['hello', 1] }]);
    client.destroy();
    expect(() => Primus.createSocket({ pingInterval: 'soon' as never })).toThrow(/pingInterval/);
  });

  test('encoder/decoder use the current parser with Primus’s callbacks; whitelist lists trusted proxies', () => {
    primus = new Primus(http, { trustProxy: ['10.0.0.1'] });
    const results: unknown[] = [];
    primus.encoder({ a: 1 }, (err, frame) => results.push(err, frame));
    primus.decoder('{"b":2}', (err, data) => results.push(err, data));
    primus.decoder('{nope', (err) => results.push(err instanceof Error));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    primus.encoder(cyclic, (err) => results.push(err instanceof Error));
    expect(results).toEqual([undefined, '{"a":1}', undefined, { b: 2 }, true, true]);
    expect(primus.whitelist).toEqual(['10.0.0.1']);
  });

  test('destroy: close message to every spark, closes the server, emits close, safe twice', async () => {
    primus = new Primus(http);
    const c = connect();
    await once(c, 'open');
    const scheduled = jest.fn();
    c.on('reconnect scheduled', scheduled);
    const closeEvent = once(primus, 'close');
    const ended = once(c, 'end');
    await new Promise<void>((r) => primus!.destroy({ timeout: 10 }, () => r()));
    await closeEvent;
    await ended;
    expect(http.listening).toBe(false);
    await new Promise<void>((r) => primus!.destroy(() => r()));
    expect(scheduled).not.toHaveBeenCalled();
    primus = undefined;
  });

  test('destroy({ close: false }) keeps the HTTP server', async () => {
    primus = new Primus(http);
    await new Promise<void>((r) => primus!.destroy({ close: false }, () => r()));
    expect(http.listening).toBe(true);
    primus = undefined;
  });

  test('Primus.createServer listens and adds the connection listener', async () => {
    const made = Primus.createServer((spark: Spark) => spark.write('made'), { port: 0, hostname: '127.0.0.1', pingInterval: false });
    await once(made.server, 'listening');
    const c = new made.Socket(urlOf(made.server));
    expect(await once(c, 'data')).toBe('made');
    c.destroy();
    await new Promise<void>((r) => made.destroy(() => r()));
  });

  test('pipe data through sparks with stream APIs', async () => {
    primus = new Primus(http);
    primus.on('connection', (spark: Spark) => spark.pipe(spark as never));
    const c = connect();
    const got = collect(c, 'data', 2);
    c.write(1);
    c.write(2);
    expect(await got).toEqual([1, 2]);
  });
});
