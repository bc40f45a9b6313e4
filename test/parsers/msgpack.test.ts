import { msgpackCodec } from '../../plugins/binary-parser';
import { bytesOf, hex } from './helpers';

// The reference: what Primus's `msgpack` parser runs (primus-msgpack is msgpack-lite).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const lite = require('primus-msgpack') as { encode(v: unknown): Buffer; decode(b: Uint8Array): unknown };

const encode = (v: unknown): Uint8Array => msgpackCodec.encode(v) as Uint8Array;
const decode = (bytes: Uint8Array | ArrayBuffer | string): unknown => msgpackCodec.decode(bytes);
const frame = (spaced: string): Buffer => Buffer.from(spaced.replace(/ /g, ''), 'hex');

/** Values for which msgpackr, set up as ours, writes exactly msgpack-lite's bytes. */
const SAME_BYTES: Array<[string, unknown]> = [
  ['spec example', { a: 1, b: 'x' }],
  ...[0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1].map((n): [string, unknown] => [`uint ${n}`, n]),
  ...[-1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31)].map((n): [string, unknown] => [`int ${n}`, n]),
  ['float', 3.14159],
  ['integers beyond 32 bits', [2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER]],
  ['NaN and infinities', [NaN, Infinity, -Infinity]],
  ['empty string', ''],
  ['31-byte string', 'x'.repeat(31)],
  ['32-byte string', 'x'.repeat(32)],
  ['string over 64 KiB', 'z'.repeat(70000)],
  ['unicode', 'héllo wörld – 日本語 😀'],
  ['control message', 'primus::ping::1700000000000'],
  ['booleans and null', [true, false, null]],
  ['undefined', undefined],
  ['undefined member', { a: undefined }],
  ['16 items', new Array(16).fill(7)],
  ['65536 items', new Array(65536).fill(1)],
  ['16 keys', Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]))],
  ['nested', { a: [1, { b: [2, { c: 'deep' }] }] }],
  ['Buffer', Buffer.from([1, 2, 3])],
  ['Buffer over 64 KiB', Buffer.alloc(70000, 3)],
  ...[0, 5, -5, 300, 70000, 1700000000123].map((ms): [string, unknown] => [`Date(${ms})`, new Date(ms)]),
  ['mixed', { id: 7, name: 'ünï', tags: ['a', 'b'], ok: true, none: null, data: Buffer.from('hi'), at: new Date(0) }],
];

describe('msgpack codec', () => {
  it('is named msgpack and carries bytes', () => {
    expect(msgpackCodec.name).toBe('msgpack');
    expect(msgpackCodec.binary).toBe(true);
  });

  it('writes the spec example (no records, fixmap)', () => {
    expect(hex(encode({ a: 1, b: 'x' }))).toBe('82 a1 61 01 a1 62 a1 78');
  });

  it.each(SAME_BYTES)('writes %s byte for byte like msgpack-lite', (_, value) => {
    expect(hex(encode(value))).toBe(hex(lite.encode(value)));
  });

  it.each(SAME_BYTES)('reads what msgpack-lite writes for %s, as msgpack-lite does', (_, value) => {
    const bytes = lite.encode(value);
    expect(decode(bytes)).toEqual(lite.decode(bytes));
  });

  it('writes Dates as msgpack-lite extension 0x0d, which msgpack-lite reads as Dates', () => {
    const date = new Date(1700000000123);
    expect(hex(encode(date))).toBe('c7 09 0d cb 42 78 bc fe 56 87 b0 00');
    expect(lite.decode(encode({ at: date }))).toEqual({ at: date });
  });

  it('reads msgpackr timestamps (extension -1) as Dates too', () => {
    expect(decode(frame('d6 ff 65 53 f1 00'))).toEqual(new Date(1700000000000));
    expect(decode(frame('d7 ff 1d 53 53 00 65 53 f1 00'))).toEqual(new Date(1700000000123));
  });

  it('writes strings of 32–255 bytes as str8, which msgpack-lite reads', () => {
    const text = 'é'.repeat(20);
    expect(encode(text)[0]).toBe(0xd9);
    expect(lite.decode(encode(text))).toBe(text);
  });

  it('writes uint32 above 2^31 compactly (msgpack-lite writes a float64); both read either', () => {
    expect(hex(encode(2 ** 31))).toBe('ce 80 00 00 00');
    expect(lite.decode(encode(2 ** 31))).toBe(2 ** 31);
    expect(decode(lite.encode(2 ** 31))).toBe(2 ** 31);
  });

  it('round-trips an invalid Date through msgpack-lite', () => {
    expect(hex(encode(new Date(NaN)))).toBe(hex(lite.encode(new Date(NaN))));
    const back = decode(lite.encode(new Date(NaN)));
    expect(back).toBeInstanceOf(Date);
    expect(Number.isNaN((back as Date).getTime())).toBe(true);
  });

  it('writes Uint8Arrays and ArrayBuffers as bin, which msgpack-lite reads as Buffers', () => {
    // (Other typed arrays go as their raw bytes too; jest's realm mix hides them from msgpackr here.)
    const backing = new Uint8Array([9, 1, 2, 9]);
    for (const value of [new Uint8Array([1, 2]), backing.subarray(1, 3), new Uint8Array([1, 2]).buffer]) {
      const bytes = encode(value);
      expect(hex(bytes)).toBe('c4 02 01 02');
      expect(lite.decode(bytes)).toEqual(Buffer.from([1, 2]));
    }
  });

  it('reads the extension types msgpack-lite uses for typed arrays, ArrayBuffers, Errors and RegExps', () => {
    const int16 = decode(lite.encode(new Int16Array([1, -1, 300])));
    expect(int16).toBeInstanceOf(Int16Array);
    expect([...(int16 as Int16Array)]).toEqual([1, -1, 300]);
    const u8 = decode(lite.encode({ u: new Uint8Array([7, 8]) })) as { u: Uint8Array };
    expect(u8.u.constructor).toBe(Uint8Array);
    expect([...u8.u]).toEqual([7, 8]);
    const float = decode(lite.encode(new Float64Array([1.5, -2]))) as Float64Array;
    expect([...float]).toEqual([1.5, -2]);
    const ab = decode(lite.encode(new Uint8Array([9, 8]).buffer));
    expect(Object.prototype.toString.call(ab)).toBe('[object ArrayBuffer]');
    expect(bytesOf(ab)).toEqual([9, 8]);
    const err = decode(lite.encode(new RangeError('boom'))) as Error;
    expect(err.name).toBe('RangeError');
    expect(err.message).toBe('boom');
    expect(decode(lite.encode(/a+b/gi))).toEqual(/a+b/gi);
    expect(decode(lite.encode([new Boolean(false), new String('s'), new Number(3)]))).toEqual([false, 's', 3]); // eslint-disable-line no-new-wrappers
  });

  it('decodes binary as a copy of the same class as the frame', () => {
    const bytes = encode({ b: Buffer.from([1, 2, 3]) });
    const fromBuffer = decode(Buffer.from(bytes)) as { b: Uint8Array };
    expect(Buffer.isBuffer(fromBuffer.b)).toBe(true);
    expect(fromBuffer.b.buffer.byteLength).toBe(3);
    const fromArray = decode(new Uint8Array(bytes)) as { b: Uint8Array };
    expect(fromArray.b.constructor).toBe(Uint8Array);
    expect([...fromArray.b]).toEqual([1, 2, 3]);
  });

  it('accepts ArrayBuffer, Uint8Array and Buffer frames and leaves the frame untouched', () => {
    const bytes = new Uint8Array(encode([1, 'two']));
    expect(decode(bytes.buffer)).toEqual([1, 'two']);
    expect(decode(bytes)).toEqual([1, 'two']);
    const buffer = Buffer.from(bytes);
    expect(decode(buffer)).toEqual([1, 'two']);
    expect(Object.keys(buffer).filter((k) => !/^\d+$/.test(k))).toEqual([]);
  });

  it('reads 64-bit integers as numbers', () => {
    expect(decode(frame('cf 00 00 01 00 00 00 00 00'))).toBe(2 ** 40);
    expect(decode(frame('d3 ff ff ff ff ff ff ff fe'))).toBe(-2);
  });

  it('leaves other msgpackr users alone: their Dates stay timestamp extensions', () => {
    // A fresh copy of msgpackr, as another library in the process would hold, and one that
    // shares ours (loaded by the codec above).
    let pristine: { Packr: new (o: object) => { pack(v: unknown): Buffer } } | undefined;
    jest.isolateModules(() => {
      pristine = require('msgpackr');
    });
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const shared = require('msgpackr') as typeof pristine;
    for (const date of [new Date(1700000000000), new Date(1700000000123), new Date(-5), new Date(NaN), new Date(2 ** 45)]) {
      const expected = hex(new pristine!.Packr({ useRecords: false }).pack(date));
      expect(hex(new shared!.Packr({ useRecords: false }).pack(date))).toBe(expected);
    }
    expect(hex(new shared!.Packr({ useRecords: false, useTimestamp32: true }).pack(new Date(1700000000123)))).toBe(
      hex(new pristine!.Packr({ useRecords: false, useTimestamp32: true }).pack(new Date(1700000000123))),
    );
  });

  describe('refuses what it cannot encode', () => {
    it.each<[string, unknown, string]>([
      ['a function', { f: () => 1 }, 'msgpack: cannot encode a function'],
      ['a symbol', [Symbol('s')], 'msgpack: Unknown type: symbol'],
    ])('%s', (_, value, message) => {
      expect(() => encode(value)).toThrow(message);
    });

    it('a circular structure', () => {
      const loop: Record<string, unknown> = { a: [1] };
      (loop.a as unknown[]).push({ back: loop });
      expect(() => encode(loop)).toThrow('msgpack: cannot encode a circular structure or a value nested this deeply');
      expect(hex(encode({ a: 1, b: 'x' }))).toBe('82 a1 61 01 a1 62 a1 78');
    });
  });

  describe('throws a clear error on a malformed frame', () => {
    it.each<[string, Uint8Array | string, string]>([
      ['an empty frame', frame(''), 'msgpack: Unexpected end of MessagePack data'],
      ['a truncated map', frame('82 a1 61 01 a1 62'), 'msgpack: Unexpected end of MessagePack data'],
      ['a truncated extension', frame('c7 0a 0d 00'), 'msgpack: Unexpected end of MessagePack data'],
      ['bytes after the value', frame('01 02'), 'msgpack: Data read, but end of buffer not reached'],
      ['an unknown extension', frame('d4 c8 00'), 'msgpack: Unknown extension 200'],
      ['the never-used byte 0xc1', frame('c1'), 'msgpack: 0xc1 is not a MessagePack value'],
      ['a text frame', '{"a":1}', 'msgpack: expected a binary frame (Uint8Array or ArrayBuffer), got a text frame'],
    ])('%s', (_, input, message) => {
      expect(() => decode(input)).toThrow(message);
    });

    it('random garbage never hangs and only throws Errors', () => {
      let seed = 7;
      const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (let i = 0; i < 2000; i++) {
        const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256));
        try {
          decode(bytes);
        } catch (err) {
          expect((err as Error).message).toMatch(/^msgpack: /);
        }
      }
    });
  });
});
