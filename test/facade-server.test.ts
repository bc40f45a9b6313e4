import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { EventEmitter } from 'node:events';
import vm from 'node:vm';
import { Primus, type Spark } from '../index';
import { httpServer, urlOf, once, portOf, closeServer } from './helpers/net';

type PrimusServer = InstanceType<typeof Primus>;
const destroy = (primus: PrimusServer, options = {}): Promise<void> => new Promise((r) => primus.destroy(options, () => r()));

/** The server surface Primus code relies on: destroy, transformer, parser, layers, addresses. */
describe('facade: Primus server surface', () => {
  let http: Server;
  beforeEach(async () => {
    http = await httpServer();
  });
  afterEach(async () => {
    await closeServer(http);
  });

  test('destroy calls back while a half-open HTTP request still holds a connection', async () => {
    const primus = new Primus(http, { pingInterval: false });
    const socket = connect(portOf(http), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /primus/spec HTTP/1.1\r\nHost: x\r\n'); // headers never finish
    await destroy(primus);
    expect(http.listening).toBe(false);
    socket.destroy();
  });

  test('the transformer is an emitter and gets a final close with the destroy options', async () => {
    for (const transformer of ['websockets', 'sockjs', 'engine.io', 'faye']) {
      const primus = new Primus(createServer(), { transformer, pingInterval: false });
      expect(primus.transformer).toBeInstanceOf(EventEmitter);
      const closed = once(primus.transformer as unknown as EventEmitter, 'close');
      await destroy(primus, { close: false });
      await expect(closed).resolves.toEqual({ close: false });
    }
  });

  test('a custom parser is the object given; encoder/decoder are its own; coders get the spark as this', async () => {
    const owners: unknown[] = [];
    const custom = {
      encoder(this: unknown, data: unknown, fn: (err: unknown, out?: unknown) => void) {
        owners.push(this);
        fn(undefined, JSON.stringify(data));
      },
      decoder(this: unknown, data: unknown, fn: (err: unknown, out?: unknown) => void) {
        owners.push(this);
        fn(undefined, JSON.parse(data as string));
      },
    };
    const primus = new Primus(http, { parser: custom, pingInterval: false });
    try {
      expect(primus.parser).toBe(custom);
      expect(primus.encoder).toBe(custom.encoder);
      expect(primus.decoder).toBe(custom.decoder);
      const client = new primus.Socket(urlOf(http));
      const spark = await once<Spark>(primus, 'connection');
      client.write('hi');
      await once(spark, 'data');
      expect(owners).toContain(spark);
      client.destroy();
    } finally {
      await destroy(primus);
    }
  });

  test('a built-in parser shows Primus’s shape: callback coders and its browser code as library', async () => {
    const primus = new Primus(http, { parser: 'ejson', pingInterval: false });
    try {
      expect(primus.parser).toBe(primus.parser);
      expect(primus.parser.library).toContain('EJSON');
      expect(primus.library()).toContain(primus.parser.library as string);
      const out: unknown[] = [];
      primus.parser.encoder({ a: 1 }, (err, frame) => out.push(err, frame));
      primus.decoder('{nope', (err) => out.push(err instanceof Error));
      expect(out).toEqual([undefined, '{"a":1}', true]);
      expect(() => new Primus(createServer(), { parser: (() => {}) as never })).toThrow();
    } finally {
      await destroy(primus);
    }
  });

  test('middleware layers record how many arguments their function takes', async () => {
    const primus = new Primus(http, { pingInterval: false });
    try {
      primus.use('three', (_req: unknown, _res: unknown, next: () => void) => next());
      primus.use('two', (_req: unknown, res: { end(): void }) => res.end());
      const layers = primus.layers as Array<{ name: string; length: number; enabled: boolean }>;
      expect(layers[primus.indexOfLayer('three')]).toMatchObject({ name: 'three', length: 3, enabled: true });
      expect(layers[primus.indexOfLayer('two')]).toMatchObject({ name: 'two', length: 2, enabled: true });
    } finally {
      await destroy(primus);
    }
  });

  test('spark.address reads the proxy headers again once request.forwarded is removed', async () => {
    const primus = new Primus(http, { pingInterval: false });
    try {
      const client = new primus.Socket(urlOf(http));
      const spark = await once<Spark>(primus, 'connection');
      spark.headers['x-forwarded-for'] = '13.3.37.1,12.12.12.12';
      spark.headers['x-forwarded-port'] = '9083,1334';
      delete spark.request.forwarded;
      expect(spark.address).toEqual({ ip: '13.3.37.1', port: 9083, secure: false });
      client.destroy();
    } finally {
      await destroy(primus);
    }
  });

  test('a server attached before it listens ignores the close of its previous listen', async () => {
    const server = createServer();
    server.close(); // not listening: Node still emits `close`
    const primus = new Primus(server, { pingInterval: false });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      await new Promise((r) => setImmediate(r));
      const client = new primus.Socket(urlOf(server));
      await once(client, 'open');
      client.destroy();
    } finally {
      await destroy(primus);
    }
  });

  test('the library evaluates where there is no WebSocket global and fails only when it connects', () => {
    for (const transformer of ['websockets', 'faye', 'engine.io', 'sockjs']) {
      const primus = new Primus(createServer(), { transformer, pingInterval: false });
      const sandbox: Record<string, unknown> = { URL, setTimeout, clearTimeout, TextDecoder, TextEncoder };
      vm.createContext(sandbox);
      vm.runInContext(primus.library(), sandbox, { filename: 'primus.js' });
      expect(typeof sandbox.Primus).toBe('function');
      if (transformer === 'websockets' || transformer === 'faye') {
        const errors = vm.runInContext(
          'var errors = []; var c = new Primus("http://127.0.0.1:9", { manual: true, strategy: false });' +
            'c.on("error", function (e) { errors.push(e.message); }); c.open(); c.destroy(); errors',
          sandbox,
        );
        expect(errors).toEqual(['WebSocket is not defined']);
      }
      primus.destroy({ close: false });
    }
  });
});
