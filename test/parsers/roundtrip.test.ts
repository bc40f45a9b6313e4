import { randomBytes } from 'node:crypto';
import type WebSocket from 'ws';
import { createKernel, type AllsparkError, type Spark } from '../../index';
import type { PluginDefinition } from '../../core/plugin';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { binaryParser, msgpackParser, binaryPackCodec, msgpackCodec } from '../../plugins/binary-parser';
import { ejsonParser, ejsonCodec } from '../../plugins/ejson-parser';
import { PARSER_PLUGINS, bytesOf, echo, next, nextArgs, startEcho, type Env } from './helpers';

const CODECS = { binary: binaryPackCodec, msgpack: msgpackCodec, ejson: ejsonCodec };

/** Values every codec carries unchanged. */
const SAMPLE = {
  str: 'hello',
  unicode: 'héllo wörld – 日本語 😀 \u2028',
  empty: '',
  int: 42,
  neg: -123456,
  big: 2 ** 40,
  negBig: -(2 ** 40),
  maxSafe: Number.MAX_SAFE_INTEGER,
  minSafe: Number.MIN_SAFE_INTEGER,
  uint32: 2 ** 32 - 1,
  float: 3.14159,
  negFloat: -0.5,
  tiny: 5e-324,
  yes: true,
  no: false,
  nil: null,
  nested: { a: [1, { b: [2, { c: 'deep', d: [[[]]] }] }] },
  list: [1, 'two', null, true, 4.5, {}],
};

describe.each(PARSER_PLUGINS)('%s parser: our server and our client', (name, plugin) => {
  const codec = CODECS[name];
  let env: Env;

  beforeEach(async () => {
    env = await startEcho(plugin);
  });

  afterEach(async () => {
    await env.close();
  });

  it('fills the parser slot with the codec', () => {
    expect(env.kernel.parser).toBe(codec);
  });

  it('round-trips nested objects, unicode, null, booleans, floats and 64-bit-ish integers', async () => {
    const client = await env.client();
    expect(await echo(client, SAMPLE)).toEqual(SAMPLE);
  });

  it.each<[string, unknown]>([
    ['a string', 'just text'],
    ['a control-looking string', 'primus::nothing::here'],
    ['zero', 0],
    ['a negative int', -7],
    ['a float', 1.5],
    ['null', null],
    ['true', true],
    ['false', false],
    ['an empty array', []],
    ['an empty object', {}],
  ])('round-trips %s at the top level', async (_, value) => {
    const client = await env.client();
    expect(await echo(client, value)).toEqual(value);
  });

  it('round-trips a large array (100k numbers)', async () => {
    const client = await env.client();
    const numbers = Array.from({ length: 100_000 }, (_, i) => (i % 3 === 0 ? i * 1.25 : i % 3 === 1 ? -i : i * 100_000));
    expect(await echo(client, numbers)).toEqual(numbers);
  });

  it('round-trips Buffers and Uint8Arrays', async () => {
    const client = await env.client();
    const blob = randomBytes(256 * 1024);
    const small = new Uint8Array([0, 1, 127, 128, 255]);
    const back = (await echo(client, { blob, small, inner: [Buffer.alloc(0)] })) as Record<string, unknown>;
    expect(bytesOf(back.blob)).toEqual([...blob]);
    expect(bytesOf(back.small)).toEqual([...small]);
    expect(bytesOf((back.inner as unknown[])[0])).toEqual([]);
    // Node clients get Buffers from the binary codecs (the frame is one); EJSON makes Uint8Arrays.
    expect(back.small).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(back.small)).toBe(name !== 'ejson');
    const top = await echo(client, new Uint8Array([1, 2, 3]));
    expect(bytesOf(top)).toEqual([1, 2, 3]);
  });

  it(name === 'binary' ? 'sends Dates as their toString() text (BinaryPack has no Date type)' : 'round-trips Dates', async () => {
    const client = await env.client();
    const at = new Date(1700000000123);
    const back = (await echo(client, { at, list: [new Date(0)] })) as { at: unknown; list: unknown[] };
    if (name === 'binary') {
      expect(back).toEqual({ at: at.toString(), list: [new Date(0).toString()] });
    } else {
      expect(back.at).toEqual(at);
      expect(back.list[0]).toEqual(new Date(0));
    }
  });

  it('encodes a broadcast once and every client decodes it', async () => {
    const [a, b] = [await env.client(), await env.client()];
    const got = Promise.all([next(a, 'data'), next(b, 'data')]);
    env.kernel.write({ news: 'ünïcode', n: [1, 2.5] });
    expect(await got).toEqual([
      { news: 'ünïcode', n: [1, 2.5] },
      { news: 'ünïcode', n: [1, 2.5] },
    ]);
  });

  describe('a malformed frame', () => {
    const garbage = (): Buffer | string => {
      if (name === 'ejson') return '{"a":';
      // A valid frame cut short: `{a:1,b:"x"}` without its last bytes.
      return Buffer.from(codec.encode({ a: 1, b: 'x' }) as Uint8Array).subarray(0, 6);
    };
    const valid = (value: unknown): Buffer | string => {
      const frame = codec.encode(value)!;
      return typeof frame === 'string' ? frame : Buffer.from(frame as Uint8Array);
    };

    async function rawWithSpark(): Promise<{ ws: WebSocket; spark: Spark }> {
      const connected = next<Spark>(env.kernel, 'connection');
      const ws = await env.raw();
      return { ws, spark: await connected };
    }

    it('is reported as ALLSPARK_PARSE on the spark and in the log; the connection stays and keeps echoing', async () => {
      const { ws, spark } = await rawWithSpark();
      const logged = nextArgs<[string, AllsparkError]>(env.kernel, 'log');
      const failed = next<AllsparkError>(spark, 'error');
      ws.send(garbage());
      const err = await failed;
      expect(err.code).toBe('ALLSPARK_PARSE');
      expect(err.name).toBe('ParserError');
      expect(err.message).toMatch(/^Failed to decode incoming data: /);
      const [level, loggedErr] = await logged;
      expect(level).toBe('error');
      expect(loggedErr).toBe(err);
      expect(env.kernel.connected).toBe(1);

      const reply = nextArgs<[Buffer, boolean]>(ws, 'message');
      ws.send(valid({ still: 'here' }));
      const [data, isBinary] = await reply;
      expect(codec.decode(isBinary ? data : data.toString())).toEqual({ still: 'here' });
    });

    it('does not disturb other clients', async () => {
      const other = await env.client();
      const otherErrors: unknown[] = [];
      other.on('error', (err: unknown) => otherErrors.push(err));
      const { ws, spark } = await rawWithSpark();
      const failed = next(spark, 'error');
      for (let i = 0; i < 5; i++) ws.send(garbage());
      await failed;
      expect(await echo(other, { fine: true })).toEqual({ fine: true });
      expect(otherErrors).toEqual([]);
      expect(env.kernel.connected).toBe(2);
    });

    it('reaches our client as an error event; the client stays open', async () => {
      const client = await env.client();
      const spark = env.sparks[env.sparks.length - 1];
      const failed = next<Error>(client, 'error');
      const frame = garbage();
      spark.writeFrame(typeof frame === 'string' ? frame : new Uint8Array(frame));
      expect((await failed).message).toMatch(name === 'ejson' ? /JSON/ : new RegExp(`^${name === 'binary' ? 'BinaryPack' : 'msgpack'}: `));
      expect(await echo(client, 'after')).toBe('after');
    });
  });

  describe('a value that cannot be encoded', () => {
    it('is reported as ALLSPARK_ENCODE, nothing is sent, the connection stays', async () => {
      const client = await env.client();
      const spark = env.sparks[env.sparks.length - 1];
      const loop: Record<string, unknown> = { a: 1 };
      loop.self = loop;
      const failed = next<AllsparkError>(spark, 'error');
      const received: unknown[] = [];
      client.on('data', (d: unknown) => received.push(d));
      expect(spark.write(loop)).toBe(false);
      const err = await failed;
      expect(err.code).toBe('ALLSPARK_ENCODE');
      expect(err.message).toMatch(/^Failed to encode outgoing data: /);
      expect(await echo(client, 'next')).toBe('next');
      expect(received).toEqual(['next']);
    });

    if (name !== 'ejson') {
      it('includes functions (the binary codecs refuse them; EJSON leaves them out like JSON)', async () => {
        await env.client();
        const spark = env.sparks[env.sparks.length - 1];
        const failed = next<AllsparkError>(spark, 'error');
        expect(spark.write({ callback: () => undefined })).toBe(false);
        expect((await failed).code).toBe('ALLSPARK_ENCODE');
      });
    }
  });
});

describe('parser plugin options', () => {
  it.each<[string, PluginDefinition]>([
    ['binary-parser', binaryParser],
    ['msgpack-parser', msgpackParser],
    ['ejson-parser', ejsonParser],
  ])('%s rejects unknown options with ALLSPARK_PLUGIN_OPTIONS naming the plugin', (pluginName, plugin) => {
    let caught: AllsparkError | undefined;
    try {
      createKernel().use(plugin, { foo: 1 } as never);
    } catch (err) {
      caught = err as AllsparkError;
    }
    expect(caught?.code).toBe('ALLSPARK_PLUGIN_OPTIONS');
    expect(caught?.message).toContain(`plugin "${pluginName}"`);
    expect(caught?.message).toContain('foo');
  });

  it('accepts no options or an empty object', () => {
    expect(() => createKernel().use(binaryParser).use(websockets)).not.toThrow();
    expect(() => createKernel().use(msgpackParser, {})).not.toThrow();
    expect(() => createKernel().use(ejsonParser, {})).not.toThrow();
  });

  it('cannot share the parser slot with another parser', () => {
    let caught: AllsparkError | undefined;
    try {
      createKernel().use(jsonParserPlugin).use(msgpackParser);
    } catch (err) {
      caught = err as AllsparkError;
    }
    expect(caught?.code).toBe('ALLSPARK_SLOT');
  });
});
