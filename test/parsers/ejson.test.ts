import * as EJSON from 'ejson';
import { ejsonCodec } from '../../plugins/ejson-parser';
import { bytesOf } from './helpers';

const encode = (v: unknown): string | undefined => ejsonCodec.encode(v) as string | undefined;
const decode = (frame: string | Uint8Array): unknown => ejsonCodec.decode(frame);

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  typeName(): string {
    return 'allspark-test-point';
  }
  toJSONValue(): { x: number; y: number } {
    return { x: this.x, y: this.y };
  }
  clone(): Point {
    return new Point(this.x, this.y);
  }
  equals(other: unknown): boolean {
    return other instanceof Point && other.x === this.x && other.y === this.y;
  }
}
EJSON.addType('allspark-test-point', (json) => {
  const { x, y } = json as { x: number; y: number };
  return new Point(x, y);
});

const VALUES: Array<[string, unknown]> = [
  ['the spec example', { a: 1, b: 'x' }],
  ['a Date', { at: new Date(1700000000123) }],
  ['binary', { data: new Uint8Array([0, 1, 254, 255]) }],
  ['a Buffer', Buffer.from('héllo')],
  ['NaN and infinities', [NaN, Infinity, -Infinity]],
  ['a RegExp', /a+b/gi],
  ['a custom type', { p: new Point(1, 2) }],
  ['unicode', 'héllo – 日本語 😀 \u2028\u2029'],
  ['a control message', 'primus::ping::1700000000000'],
  ['nested', { a: [1, { b: [2, { c: null }] }], t: true, f: false, n: -12.5 }],
  ['a key that looks like EJSON', { $date: 'not a date', other: 1 }],
];

describe('EJSON codec', () => {
  it('is named ejson and carries text', () => {
    expect(ejsonCodec.name).toBe('ejson');
    expect(ejsonCodec.binary).toBe(false);
  });

  it.each(VALUES)('writes %s exactly as EJSON.stringify (Primus) does', (_, value) => {
    expect(encode(value)).toBe(EJSON.stringify(value));
  });

  it.each(VALUES)('reads %s back to an EJSON-equal value', (_, value) => {
    const back = decode(encode(value)!);
    expect(EJSON.equals(back as never, EJSON.parse(EJSON.stringify(value)) as never)).toBe(true);
  });

  it('writes the spec example as plain JSON', () => {
    expect(encode({ a: 1, b: 'x' })).toBe('{"a":1,"b":"x"}');
  });

  it('restores Dates, binary and custom types', () => {
    const back = decode(encode({ at: new Date(5), data: Buffer.from([1, 2]), p: new Point(3, 4) })!) as {
      at: Date;
      data: Uint8Array;
      p: Point;
    };
    expect(back.at).toEqual(new Date(5));
    expect(back.data).toBeInstanceOf(Uint8Array);
    expect(bytesOf(back.data)).toEqual([1, 2]);
    expect(back.p).toBeInstanceOf(Point);
    expect(back.p).toEqual(new Point(3, 4));
  });

  it('follows JSON for what it cannot represent: functions and undefined members are left out', () => {
    expect(encode({ f: () => 1, u: undefined, a: 1 })).toBe('{"a":1}');
    expect(encode(undefined)).toBeUndefined();
  });

  it('reads text that arrives in a binary frame', () => {
    expect(decode(Buffer.from('{"at":{"$date":5}}'))).toEqual({ at: new Date(5) });
  });

  it('drops "__proto__" keys instead of letting them replace the prototype', () => {
    for (const text of ['{"__proto__":{"admin":true},"a":1}', '{"\\u005f_proto__":{"admin":true},"a":1}']) {
      const value = decode(text) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(value.admin).toBeUndefined();
      expect(value).toEqual({ a: 1 });
    }
    // Without the guard EJSON.parse would do this:
    expect((EJSON.parse('{"__proto__":{"admin":true}}') as { admin?: boolean }).admin).toBe(true);
    // Text that merely mentions proto is untouched.
    expect(decode('{"prototype":"proto","x":{"$date":1}}')).toEqual({ prototype: 'proto', x: new Date(1) });
  });

  describe('refuses what it cannot encode', () => {
    it('a circular structure', () => {
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      expect(() => encode(loop)).toThrow(/circular/i);
    });

    it('a bigint', () => {
      expect(() => encode({ n: 1n })).toThrow(/BigInt/);
    });
  });

  describe('throws on a malformed frame', () => {
    it.each<[string, string | Uint8Array, RegExp]>([
      ['truncated JSON', '{"a":', /JSON/],
      ['an empty frame', '', /JSON/],
      ['an unknown custom type', '{"$type":"nope","$value":1}', /Custom EJSON type nope is not defined/],
      ['a binary frame that is not UTF-8', Buffer.from([0xff, 0xfe, 0x00]), /EJSON: the binary frame is not UTF-8 text/],
    ])('%s', (_, input, message) => {
      expect(() => decode(input)).toThrow(message);
    });
  });
});
