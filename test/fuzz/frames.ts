import fc from 'fast-check';
import type { Frame, Parser } from '../../core/types';

/** One edit of a frame. */
interface Mutation {
  op: 'flip' | 'set' | 'truncate' | 'insert' | 'duplicate' | 'delete';
  at: number;
  byte: number;
  bytes: number[];
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('flip', 'set', 'truncate', 'insert', 'duplicate', 'delete'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }),
});

/** Apply `edits` to a byte array (text frames are edited as UTF-16 code units). */
function mutate(units: number[], edits: Mutation[], max: number): number[] {
  let out = units.slice();
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % out.length;
    switch (edit.op) {
      case 'flip':
        if (out.length > 0) out[at] ^= 1 << (edit.byte & 7);
        break;
      case 'set':
        if (out.length > 0) out[at] = edit.byte % max;
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'insert':
        out.splice(at, 0, ...edit.bytes.map((b) => b % max));
        break;
      case 'duplicate':
        out.splice(at, 0, ...out.slice(at, at + 1 + (edit.byte & 15)));
        break;
      case 'delete':
        out.splice(at, 1 + (edit.byte & 7));
        break;
    }
  }
  return out;
}

/** A valid frame of one of `values`, then edited one to four times. */
export function mutatedFrame(codec: Parser, values: fc.Arbitrary<unknown>): fc.Arbitrary<Frame> {
  return fc.tuple(values, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([value, edits]) => {
    const frame = codec.encode(value) ?? '';
    if (typeof frame === 'string') {
      const units = Array.from({ length: frame.length }, (_, i) => frame.charCodeAt(i));
      // Text edits stay ASCII-ish so structure characters ([ { " \ ,) come up often.
      return String.fromCharCode(...mutate(units, edits, 128));
    }
    return Uint8Array.from(mutate(Array.from(frame as Uint8Array), edits, 256));
  });
}

/** `piece` repeated `k` times. */
function repeat(piece: number[], k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < k; i++) out.push(...piece);
  return out;
}

const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** `levels` msgpack extension values of `type` nested in one another around a nil, sizes correct. */
function nestedExtensions(levels: number, type: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < levels; i++) out.push(0xc9, ...u32((levels - 1 - i) * 6 + 1), type);
  out.push(0xc0);
  return out;
}

/** Pieces of hostile JSON text, joined. */
const hostileJson = fc
  .array(
    fc.oneof(
      fc.nat({ max: 5_000 }).map((k) => '['.repeat(k)),
      fc.nat({ max: 2_000 }).map((k) => '{"a":'.repeat(k)),
      fc.nat({ max: 5_000 }).map((k) => ']'.repeat(k)),
      fc.nat({ max: 5_000 }).map((k) => '}'.repeat(k)),
      fc.nat({ max: 20_000 }).map((k) => '0,'.repeat(k)),
      fc.nat({ max: 5_000 }).map((k) => '[],'.repeat(k)),
      fc.nat({ max: 2_000 }).map((k) => '"\\\\\\"'.repeat(k)),
      fc.constantFrom(
        '"\\u0000"', '"\\"', '{"$date":1e400}', '{"$binary":"AAAA"}', '{"$binary":"%%%"}', '{"$type":"x","$value":1}',
        '{"$escape":{"$date":1}}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":1}}', 'null', '1e999', '-', '"',
        '{"$InfNaN":1}', '{"$regexp":"(a+)+$","$flags":"g"}', '{"$date":{"$numberLong":"1"}}',
      ),
      fc.string({ maxLength: 20 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

/** Pieces of hostile BinaryPack / MessagePack, joined. */
function hostileBytes(msgpack: boolean): fc.Arbitrary<Uint8Array> {
  const pieces: Array<fc.Arbitrary<number[]>> = [
    fc.nat({ max: 3_000 }).map((k) => new Array<number>(k).fill(0x91)),
    fc.nat({ max: 1_000 }).map((k) => repeat([0x81, msgpack ? 0xa1 : 0xb1, 0x61], k)),
    fc.tuple(fc.constantFrom(0xdc, 0xdd, 0xde, 0xdf), fc.nat()).map(([t, n]) => (t === 0xdc || t === 0xde ? [t, (n >> 8) & 0xff, n & 0xff] : [t, ...u32(n)])),
    fc.tuple(fc.constantFrom(0xd8, 0xd9, 0xda, 0xdb, 0xc4, 0xc5, 0xc6), fc.nat()).map(([t, n]) => [t, ...u32(n)]),
    fc.nat({ max: 20_000 }).map((k) => [0xdd, ...u32(k), ...new Array<number>(k).fill(0xc0)]),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 32 }),
  ];
  if (msgpack) {
    pieces.push(
      fc.tuple(fc.nat({ max: 1_000 }), fc.constantFrom(0x0b, 0x0c, 0x0f, 0x0d, 0x01, 0x0e, 0x0a)).map(([k, t]) => nestedExtensions(k, t)),
      fc.nat({ max: 1_000 }).map((k) => repeat([0xd4, 0x73, 0x00], k)),
      fc.nat({ max: 1_000 }).map((k) => repeat([0xd4, 0x65, 0x00], k)),
      fc.nat({ max: 4_000 }).map((k) => [0xc9, ...u32(k), 0x42, ...new Array<number>(k).fill(0x7f)]),
      fc.constantFrom([0xd4, 0x72, 0x40], [0xd5, 0x72, 0x40, 0x00], [0xd6, 0x69, 0, 0, 0, 1], [0xd6, 0x70, 0, 0, 0, 1], [0xd6, 0x62, 0, 0, 0, 9]),
      fc.tuple(fc.integer({ min: 0xd4, max: 0xd8 }), fc.integer({ min: 0, max: 255 })).map(([t, e]) => [t, e, ...new Array<number>(1 << (t - 0xd4)).fill(0)]),
    );
  }
  return fc.array(fc.oneof(...pieces), { minLength: 1, maxLength: 6 }).map((parts) => Uint8Array.from(parts.flat()));
}

/** Frames built to hit the decoders' limits and their libraries' soft spots. */
export function hostileFrame(codec: string): fc.Arbitrary<Frame> {
  if (codec === 'json' || codec === 'ejson') return hostileJson;
  return hostileBytes(codec === 'msgpack');
}
