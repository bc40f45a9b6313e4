import type WebSocket from 'ws';
import type { Spark } from '../../index';
import { PARSER_PLUGINS, bytesOf, next, nextArgs, startEcho, type Env } from './helpers';

// The real Primus 8 client, compiled by Primus itself for each parser.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Primus = require('primus');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const BinaryPack = require('binary-pack') as { pack(v: unknown): Buffer; unpack(b: Buffer): unknown };
// eslint-disable-next-line @typescript-eslint/no-var-requires
const msgpackLite = require('primus-msgpack') as { encode(v: unknown): Buffer; decode(b: Uint8Array): unknown };
// eslint-disable-next-line @typescript-eslint/no-var-requires
const EJSON = require('ejson') as { stringify(v: unknown): string; parse(s: string): unknown };

interface PrimusClient {
  on(event: string, fn: (...args: any[]) => void): unknown;
  once(event: string, fn: (...args: any[]) => void): unknown;
  write(data: unknown): boolean;
  end(): void;
}

/** How Primus's own encoder for each parser would read a frame. */
const REFERENCE_DECODE: Record<string, (frame: Buffer, isBinary: boolean) => unknown> = {
  binary: (frame) => BinaryPack.unpack(frame),
  msgpack: (frame) => msgpackLite.decode(frame),
  ejson: (frame) => EJSON.parse(frame.toString()),
};

const sockets = new Map<string, new (url: string, options?: object) => PrimusClient>();
function primusSocket(parser: string): new (url: string, options?: object) => PrimusClient {
  let Socket = sockets.get(parser);
  if (!Socket) {
    Socket = Primus.createSocket({ transformer: 'websockets', parser }) as new (url: string, options?: object) => PrimusClient;
    sockets.set(parser, Socket);
  }
  return Socket;
}

describe.each(PARSER_PLUGINS)('%s parser: our server and the real Primus 8 client', (name, plugin) => {
  let env: Env;

  beforeEach(async () => {
    env = await startEcho(plugin, { pingInterval: 100 });
  });

  afterEach(async () => {
    await env.close();
  });

  async function connect(): Promise<{ client: PrimusClient; spark: Spark }> {
    const Socket = primusSocket(name);
    const connected = next<Spark>(env.kernel, 'connection');
    const client = new Socket(env.url, { strategy: false });
    env.track(() => client.end());
    await next(client, 'open');
    return { client, spark: await connected };
  }

  async function echo(client: PrimusClient, value: unknown): Promise<unknown> {
    const back = next(client, 'data');
    client.write(value);
    return back;
  }

  it('echoes objects, unicode strings and numbers', async () => {
    const { client } = await connect();
    const value = { a: 1, b: 'x', text: 'héllo – 日本語', nested: { list: [1, -2, 3.5, null, true, false] }, big: 2 ** 31 - 1 };
    expect(await echo(client, value)).toEqual(value);
    expect(await echo(client, 'a plain string')).toBe('a plain string');
    expect(await echo(client, 42)).toBe(42);
  });

  it('delivers what the Primus client writes to spark data, decoded', async () => {
    const { client, spark } = await connect();
    const got = next(spark, 'data');
    client.write({ from: 'primus', list: [1, 2, 3] });
    expect(await got).toEqual({ from: 'primus', list: [1, 2, 3] });
  });

  it('echoes binary data', async () => {
    const { client } = await connect();
    const bytes = Buffer.from([0, 1, 2, 127, 128, 254, 255]);
    const back = (await echo(client, { bytes })) as { bytes: unknown };
    expect(bytesOf(back.bytes)).toEqual([...bytes]);
    const big = Buffer.alloc(70_000, 7);
    expect(bytesOf(((await echo(client, { big })) as { big: unknown }).big)).toEqual([...big]);
  });

  if (name === 'msgpack') {
    it('reads the msgpack-lite extensions a Primus client sends for Uint8Arrays and ArrayBuffers', async () => {
      const { client, spark } = await connect();
      const got = next<{ u: Uint8Array; ab: ArrayBuffer }>(spark, 'data');
      client.write({ u: new Uint8Array([1, 2, 3]), ab: new Uint8Array([4, 5]).buffer });
      const value = await got;
      expect(value.u.constructor.name).toBe('Uint8Array');
      expect(bytesOf(value.u)).toEqual([1, 2, 3]);
      expect(Object.prototype.toString.call(value.ab)).toBe('[object ArrayBuffer]');
      expect(bytesOf(value.ab)).toEqual([4, 5]);
    });
  }

  if (name !== 'binary') {
    it('carries Dates both ways as Dates', async () => {
      const { client, spark } = await connect();
      const at = new Date(1700000000123);
      const got = next(spark, 'data');
      client.write({ at });
      expect(await got).toEqual({ at });
      const back = (await next(client, 'data')) as { at: Date };
      expect(back.at).toBeInstanceOf(Date);
      expect(back.at.getTime()).toBe(at.getTime());
    });
  } else {
    it('carries Dates as their toString() text, as Primus binary does', async () => {
      const { client } = await connect();
      const at = new Date(1700000000123);
      expect(await echo(client, { at })).toEqual({ at: at.toString() });
    });
  }

  it('sends pings the Primus client understands and reads its pongs', async () => {
    const { client, spark } = await connect();
    const [ping] = await nextArgs<[number]>(client, 'incoming::ping', 2000);
    expect(typeof ping).toBe('number');
    expect(Math.abs(Date.now() - ping)).toBeLessThan(5000);
    const pong = await next<number>(spark, 'incoming::pong', 2000);
    expect(typeof pong).toBe('number');
  });

  it('encodes the ping as a parser-encoded string, as Primus does', async () => {
    const ws: WebSocket = await env.raw();
    const [frame, isBinary] = await nextArgs<[Buffer, boolean]>(ws, 'message', 2000);
    expect(isBinary).toBe(name !== 'ejson');
    const decoded = REFERENCE_DECODE[name](frame, isBinary);
    expect(decoded).toMatch(/^primus::ping::\d+$/);
  });

  it('writes frames byte for byte as the Primus server would for plain values', async () => {
    const connected = next<Spark>(env.kernel, 'connection');
    const ws: WebSocket = await env.raw();
    const spark = await connected;
    const value = { a: 1, b: 'x', list: [1, 2, 'three'], ok: true, none: null };
    const got = new Promise<Buffer>((resolve) => {
      ws.on('message', (frame: Buffer, isBinary: boolean) => {
        // Heartbeat pings may arrive first.
        if (!/^primus::ping::/.test(String(REFERENCE_DECODE[name](frame, isBinary)))) resolve(frame);
      });
    });
    spark.write(value);
    const expected =
      name === 'binary' ? BinaryPack.pack(value) : name === 'msgpack' ? msgpackLite.encode(value) : Buffer.from(EJSON.stringify(value));
    expect((await got).equals(expected)).toBe(true);
  });

  it('ends the Primus client for good with primus::server::close', async () => {
    const { client, spark } = await connect();
    const ended = next(client, 'end');
    let reconnecting = false;
    client.on('reconnect scheduled', () => (reconnecting = true));
    spark.end();
    await ended;
    expect(reconnecting).toBe(false);
  });
});
