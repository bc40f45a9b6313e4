import { binaryPackCodec } from '../../plugins/binary-parser';
import { hex } from './helpers';

// The reference: what Primus's `binary` parser runs in Node.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const BinaryPack = require('binary-pack') as { pack(v: unknown): Buffer; unpack(b: Buffer): unknown };

const encode = (v: unknown): Uint8Array => binaryPackCodec.encode(v) as Uint8Array;
const decode = (bytes: Uint8Array | ArrayBuffer | string): unknown => binaryPackCodec.decode(bytes);
const frame = (spaced: string): Buffer => Buffer.from(spaced.replace(/ /g, ''), 'hex');

/** Values `binary-pack` encodes, covering every size class of every type. */
const SAME_BYTES: Array<[string, unknown]> = [
  ['spec example', { a: 1, b: 'x' }],
  ...[0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31, 2 ** 32 - 1].map((n): [string, unknown] => [`uint ${n}`, n]),
  ...[-1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31)].map((n): [string, unknown] => [`int ${n}`, n]),
  ['negative zero', -0],
  ['float', 3.14159],
  ['negative float', -0.001],
  ['tiny float', 5e-324],
  ['NaN', NaN],
  ['empty string', ''],
  ['15-byte string', 'x'.repeat(15)],
  ['16-byte string', 'x'.repeat(16)],
  ['64 KiB string', 'y'.repeat(65535)],
  ['string over 64 KiB', 'z'.repeat(70000)],
  ['unicode', 'héllo wörld – 日本語'],
  ['astral', '😀 𝄞'],
  ['lone surrogate', 'a\ud800b'],
  ['long unicode', 'é日😀'.repeat(1000)],
  ['BOM', '\ufeffstart'],
  ['control message', 'primus::ping::1700000000000'],
  ['true', true],
  ['false', false],
  ['null', null],
  ['undefined', undefined],
  ['empty array', []],
  ['nested arrays', [1, [2, [3, [4]]]]],
  ['16 items', new Array(16).fill(7)],
  ['sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ['empty object', {}],
  ['16 keys', Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]))],
  ['undefined member', { a: undefined }],
  ['buffer 1', Buffer.from([1])],
  ['buffer 15', Buffer.alloc(15, 1)],
  ['buffer 16', Buffer.alloc(16, 2)],
  ['buffer 70000', Buffer.alloc(70000, 3)],
  ['Date', new Date(1700000000123)],
  ['mixed', { id: 7, name: 'ünï', tags: ['a', 'b'], ok: true, none: null, data: Buffer.from('hi'), at: new Date(0) }],
];

describe('BinaryPack codec', () => {
  it('is named binary and carries bytes', () => {
    expect(binaryPackCodec.name).toBe('binary');
    expect(binaryPackCodec.binary).toBe(true);
  });

  it('writes the spec example', () => {
    expect(hex(encode({ a: 1, b: 'x' }))).toBe('82 b1 61 01 b1 62 b1 78');
  });

  it.each(SAME_BYTES)('writes %s byte for byte like binary-pack', (_, value) => {
    expect(Buffer.from(encode(value)).equals(BinaryPack.pack(value))).toBe(true);
  });

  it.each(SAME_BYTES)('reads what binary-pack writes for %s, as binary-pack does', (_, value) => {
    const bytes = BinaryPack.pack(value);
    expect(decode(bytes)).toEqual(BinaryPack.unpack(bytes));
  });

  it('writes the 32-bit array header (binary-pack takes a minute to build one to compare)', () => {
    const bytes = encode(new Array(65536).fill(1));
    expect(hex(bytes.subarray(0, 6))).toBe('dd 00 01 00 00 01');
    expect(bytes.length).toBe(5 + 65536);
    expect(BinaryPack.unpack(Buffer.from(bytes))).toEqual(new Array(65536).fill(1));
    expect(decode(bytes)).toEqual(new Array(65536).fill(1));
  });

  it('decodes binary as a copy of the same class as the frame', () => {
    const bytes = encode({ b: new Uint8Array([1, 2, 3]) });
    const fromBuffer = decode(Buffer.from(bytes)) as { b: Uint8Array };
    expect(Buffer.isBuffer(fromBuffer.b)).toBe(true);
    const fromArray = decode(new Uint8Array(bytes)) as { b: Uint8Array };
    expect(fromArray.b.constructor).toBe(Uint8Array);
    expect([...fromArray.b]).toEqual([1, 2, 3]);
    expect(fromArray.b.buffer.byteLength).toBe(3);
  });

  it('accepts ArrayBuffer, Uint8Array and Buffer frames', () => {
    const bytes = encode([1, 'two']);
    const copy = new Uint8Array(bytes);
    expect(decode(copy.buffer)).toEqual([1, 'two']);
    expect(decode(copy)).toEqual([1, 'two']);
    expect(decode(Buffer.from(bytes))).toEqual([1, 'two']);
    // A view into a larger buffer decodes only its own bytes.
    const padded = new Uint8Array(bytes.length + 4);
    padded.set(bytes, 2);
    expect(decode(padded.subarray(2, 2 + bytes.length))).toEqual([1, 'two']);
  });

  it('encodes Uint8Array views, typed arrays and ArrayBuffers as binary (binary-pack only takes Buffers)', () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    expect(hex(encode(backing.subarray(1, 4)))).toBe('a3 01 02 03');
    expect(hex(encode(new Uint8Array([1, 2]).buffer))).toBe('a2 01 02');
    expect(hex(encode(new Uint16Array([0x0102])))).toBe('a2 02 01');
    expect(hex(encode(new Uint8Array(0)))).toBe('a0');
  });

  it('sends Dates as their toString() text, as binary-pack does', () => {
    const date = new Date(1700000000123);
    expect(decode(encode(date))).toBe(date.toString());
  });

  it('writes integers beyond 32 bits as float64, which every BinaryPack reader decodes', () => {
    for (const n of [2 ** 32, 2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 63, 1e300]) {
      const bytes = encode(n);
      expect(bytes[0]).toBe(0xcb);
      expect(decode(bytes)).toBe(n);
      expect(BinaryPack.unpack(Buffer.from(bytes))).toBe(n);
    }
    // binary-pack's own int64 output does not decode with binary-pack in Node (infinite recursion).
    expect(() => BinaryPack.unpack(BinaryPack.pack(2 ** 40))).toThrow(RangeError);
    expect(decode(BinaryPack.pack(2 ** 40))).toBe(2 ** 40);
    expect(decode(BinaryPack.pack(-(2 ** 40)))).toBe(-(2 ** 40));
  });

  it('encodes ±Infinity as float64 (binary-pack throws)', () => {
    expect(decode(encode(Infinity))).toBe(Infinity);
    expect(decode(encode(-Infinity))).toBe(-Infinity);
  });

  it('reads uint64, int64 and float32 that other BinaryPack writers may send', () => {
    expect(decode(frame('cf 00 00 01 00 00 00 00 00'))).toBe(2 ** 40);
    expect(decode(frame('d3 ff ff ff ff ff ff ff fe'))).toBe(-2);
    expect(decode(frame('ca 3f c0 00 00'))).toBe(1.5);
    expect(decode(frame('c1'))).toBeUndefined();
  });

  it('keeps a "__proto__" key as an own property instead of a prototype', () => {
    const value = decode(encode(JSON.parse('{"__proto__":{"admin":true},"a":1}'))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { admin?: unknown }).admin).toBeUndefined();
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(value['__proto__']).toEqual({ admin: true });
  });

  it('encodes null-prototype objects as maps', () => {
    const bare = Object.assign(Object.create(null), { a: 1 });
    expect(hex(encode(bare))).toBe('81 b1 61 01');
  });

  it('writes what toBinaryPack() returns, as binary-pack does', () => {
    class Point {
      constructor(readonly x: number) {}
      toBinaryPack(): Uint8Array {
        return encode({ x: this.x });
      }
    }
    expect(decode(encode([new Point(3)]))).toEqual([{ x: 3 }]);
  });

  describe('refuses what it cannot encode', () => {
    it.each<[string, unknown, string]>([
      ['a function', { f: () => 1 }, 'BinaryPack: cannot encode a function'],
      ['a symbol', [Symbol('s')], 'BinaryPack: cannot encode a symbol'],
      ['a bigint', 1n, 'BinaryPack: cannot encode a bigint'],
      ['a Map', new Map(), 'BinaryPack: cannot encode a Map'],
      ['a class instance', new (class Thing {})(), 'BinaryPack: cannot encode a Thing'],
    ])('%s', (_, value, message) => {
      expect(() => encode(value)).toThrow(message);
    });

    it('a circular structure', () => {
      const loop: Record<string, unknown> = { a: [1] };
      (loop.a as unknown[]).push({ back: loop });
      expect(() => encode(loop)).toThrow('BinaryPack: cannot encode a circular structure');
      // The writer is usable afterwards.
      expect(hex(encode({ a: 1, b: 'x' }))).toBe('82 b1 61 01 b1 62 b1 78');
    });

    it('the same object twice without a cycle is fine', () => {
      const shared = { s: 1 };
      expect(decode(encode([shared, shared, { shared }]))).toEqual([{ s: 1 }, { s: 1 }, { shared: { s: 1 } }]);
    });
  });

  describe('throws a clear error on a malformed frame', () => {
    it.each<[string, Uint8Array | ArrayBuffer | string, string]>([
      ['an empty frame', frame(''), 'BinaryPack: the frame ends early (1 byte needed at offset 0, 0 left)'],
      ['a truncated string', frame('b3 61 62'), 'BinaryPack: the frame ends early (3 bytes needed at offset 1, 2 left)'],
      ['a truncated map', frame('82 b1 61 01 b1 62'), 'BinaryPack: the frame ends early (1 byte needed at offset 6, 0 left)'],
      ['a truncated float', frame('cb 3f f8'), 'BinaryPack: the frame ends early (8 bytes needed at offset 1, 2 left)'],
      ['a huge array count', frame('dd ff ff ff ff 01'), 'BinaryPack: array of 4294967295 entries at offset 5 cannot fit in the 1 bytes left'],
      ['a huge map count', frame('df 00 10 00 00 01 02'), 'BinaryPack: map of 1048576 entries at offset 5 cannot fit in the 2 bytes left'],
      ['bytes after the value', frame('01 02 03'), 'BinaryPack: 2 unexpected bytes after the value (at offset 1)'],
      ['an unused type byte', frame('91 c7'), 'BinaryPack: unknown type byte 0xc7 at offset 1'],
      ['an ext type byte', frame('d4 00'), 'BinaryPack: unknown type byte 0xd4 at offset 0'],
      ['invalid UTF-8', frame('b2 c3 28'), 'BinaryPack: invalid UTF-8 in the string at offset 1'],
      ['a text frame', '{"a":1}', 'BinaryPack: expected a binary frame (Uint8Array or ArrayBuffer), got a text frame'],
    ])('%s', (_, input, message) => {
      expect(() => decode(input)).toThrow(message);
    });

    it('absurd nesting', () => {
      const deep = Buffer.concat([Buffer.alloc(200_000, 0x91), Buffer.from([0xc0])]);
      expect(() => decode(deep)).toThrow('BinaryPack: frame nested too deeply to decode');
    });

    it('random garbage never hangs and never escapes as anything but an Error', () => {
      let seed = 42;
      const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (let i = 0; i < 2000; i++) {
        const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256));
        try {
          decode(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message).toMatch(/^BinaryPack: /);
        }
      }
    });
  });
});
