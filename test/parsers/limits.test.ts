import { createKernel, type AllsparkError } from '../../index';
import { ParserError } from '../../core/errors';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../../core/decode-limits';
import type { Parser } from '../../core/types';
import { createJsonCodec, jsonParserPlugin } from '../../plugins/json-parser';
import { createEjsonCodec } from '../../plugins/ejson-parser';
import { binaryParser, createBinaryPackCodec, createMsgpackCodec, msgpackParser } from '../../plugins/binary-parser';

const limits = (overrides: Partial<DecodeLimits>): DecodeLimits => ({ ...DEFAULT_DECODE_LIMITS, ...overrides });

/** The error `decode` throws, or undefined. */
function failure(codec: Parser, frame: string | Uint8Array): ParserError | undefined {
  try {
    codec.decode(frame);
    return undefined;
  } catch (err) {
    return err as ParserError;
  }
}

const nestedArray = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

/** Codecs built with `limits`, each with its own encoder for test values. */
const FACTORIES: Array<[string, (l: DecodeLimits) => Parser]> = [
  ['json', createJsonCodec],
  ['ejson', createEjsonCodec],
  ['binary', createBinaryPackCodec],
  ['msgpack', createMsgpackCodec],
];

describe.each(FACTORIES)('%s decode limits', (name, create) => {
  it('takes nesting up to maxDepth and refuses one level more, naming the option', () => {
    const codec = create(limits({ maxDepth: 5 }));
    expect(codec.decode(codec.encode(nestedArray(5))!)).toEqual(nestedArray(5));
    const err = failure(codec, codec.encode(nestedArray(6)) as string | Uint8Array);
    expect(err).toBeInstanceOf(ParserError);
    expect(err?.code).toBe('ALLSPARK_PARSE');
    expect(err?.message).toContain('maxDepth');
  });

  it('counts an empty container as a level', () => {
    const codec = create(limits({ maxDepth: 3 }));
    expect(codec.decode(codec.encode([[[]]])!)).toEqual([[[]]]);
    expect(codec.decode(codec.encode([[{}]])!)).toEqual([[{}]]);
    expect(failure(codec, codec.encode([[[[]]]]) as string | Uint8Array)?.message).toContain('maxDepth');
    expect(failure(codec, codec.encode([[[{}]]]) as string | Uint8Array)?.message).toContain('maxDepth');
  });

  it('takes containers of maxEntries and refuses one entry more, naming the option', () => {
    const codec = create(limits({ maxEntries: 40 }));
    const list = Array.from({ length: 40 }, (_, i) => i);
    expect(codec.decode(codec.encode(list)!)).toEqual(list);
    const map = Object.fromEntries(list.map((i) => [`k${i}`, i]));
    expect(codec.decode(codec.encode(map)!)).toEqual(map);
    for (const value of [[...list, 40], { ...map, k40: 40 }]) {
      const err = failure(codec, codec.encode(value) as string | Uint8Array);
      expect(err?.code).toBe('ALLSPARK_PARSE');
      expect(err?.message).toContain('maxEntries');
    }
  });

  it('has the documented defaults', () => {
    expect(DEFAULT_DECODE_LIMITS).toEqual({ maxDepth: 100, maxEntries: 1_000_000, maxExtensionDepth: 4, maxBigIntBytes: 1024 });
    const codec = create(DEFAULT_DECODE_LIMITS);
    expect(codec.decode(codec.encode(nestedArray(100))!)).toEqual(nestedArray(100));
    expect(failure(codec, codec.encode(nestedArray(101)) as string | Uint8Array)?.message).toContain('maxDepth');
  });
});

describe('msgpack extension limits', () => {
  /** `levels` msgpack-lite Boolean-object extensions (0x0b) nested around `true`. */
  function wrapped(levels: number): Uint8Array {
    let frame = Uint8Array.of(0xc3);
    for (let i = 0; i < levels; i++) frame = Uint8Array.of(0xc7, frame.length, 0x0b, ...frame);
    return frame;
  }
  const bigInt = (bytes: number): Uint8Array => Uint8Array.of(0xc7, bytes, 0x42, ...new Array<number>(bytes).fill(1));

  it('reads extensions nested maxExtensionDepth deep and refuses one more', () => {
    const codec = createMsgpackCodec(limits({ maxExtensionDepth: 3 }));
    expect(codec.decode(wrapped(3))).toBe(true);
    expect(failure(codec, wrapped(4))?.message).toBe(
      'msgpack: extensions nested more than 3 deep (the limit is 3, parser option maxExtensionDepth)',
    );
  });

  it('reads a BigInt of maxBigIntBytes and refuses one byte more', () => {
    const codec = createMsgpackCodec(limits({ maxBigIntBytes: 16 }));
    expect(typeof codec.decode(bigInt(16))).toBe('bigint');
    expect(failure(codec, bigInt(17))?.message).toBe('msgpack: a BigInt of 17 bytes at offset 3 (the limit is 16, parser option maxBigIntBytes)');
  });

  it('refuses records, structured-clone references and string bundles', () => {
    const codec = createMsgpackCodec(DEFAULT_DECODE_LIMITS);
    expect(failure(codec, Uint8Array.of(0xd4, 0x72, 0x40))?.message).toBe('msgpack: extension 0x72 (records) is not accepted');
    expect(failure(codec, Uint8Array.of(0xd6, 0x69, 0, 0, 0, 1, 0x90))?.message).toBe(
      'msgpack: extension 0x69 (structured-clone references) is not accepted',
    );
    expect(failure(codec, Uint8Array.of(0xd6, 0x62, 0, 0, 0, 9))?.message).toBe('msgpack: extension 0x62 (string bundles) is not accepted');
  });

  it('refuses the never-used byte 0xc1 anywhere, not only as the whole frame', () => {
    const codec = createMsgpackCodec(DEFAULT_DECODE_LIMITS);
    expect(failure(codec, Uint8Array.of(0x92, 0xc1, 0x01))?.message).toBe('msgpack: 0xc1 is not a MessagePack value (at offset 1)');
    expect(failure(codec, Uint8Array.of(0x81, 0xa1, 0x61, 0xc1))?.message).toBe('msgpack: 0xc1 is not a MessagePack value (at offset 3)');
  });

  it('refuses bytes after the value before decoding it', () => {
    const codec = createMsgpackCodec(DEFAULT_DECODE_LIMITS);
    const frame = new Uint8Array(1 << 20);
    frame.set([0xc6, 0x00, 0x0f, 0xff, 0xfa]);
    expect(failure(codec, frame)?.message).toBe('msgpack: 1 unexpected byte after the value (at offset 1048575)');
  });

  it('decodes many msgpack-lite Dates without copying the frame for each', () => {
    const codec = createMsgpackCodec(DEFAULT_DECODE_LIMITS);
    const dates = Array.from({ length: 20_000 }, (_, i) => new Date(i * 1000));
    const start = performance.now();
    expect((codec.decode(codec.encode(dates)!) as Date[])[19_999].getTime()).toBe(19_999_000);
    // Copying the 160 kB frame per Date took seconds; reading in place takes milliseconds.
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe('parser plugin limit options', () => {
  it('give the kernel a codec with those limits', () => {
    const kernel = createKernel().use(msgpackParser, { maxDepth: 3, maxBigIntBytes: 8 });
    expect(failure(kernel.parser, kernel.parser.encode(nestedArray(4)) as Uint8Array)?.message).toContain('maxDepth');
    const json = createKernel().use(jsonParserPlugin, { maxEntries: 2 });
    expect(failure(json.parser, '[1,2,3]')?.message).toContain('maxEntries');
  });

  it('use the shared default codec when no limit changes', () => {
    const { binaryPackCodec } = jest.requireActual('../../plugins/binary-parser');
    expect(createKernel().use(binaryParser).parser).toBe(binaryPackCodec);
  });

  it('refuse limits that are not positive integers, and msgpack options on other parsers', () => {
    for (const [plugin, options] of [
      [msgpackParser, { maxDepth: 0 }],
      [jsonParserPlugin, { maxEntries: 1.5 }],
      [jsonParserPlugin, { maxBigIntBytes: 8 }],
    ] as const) {
      let caught: AllsparkError | undefined;
      try {
        createKernel().use(plugin as typeof jsonParserPlugin, options as never);
      } catch (err) {
        caught = err as AllsparkError;
      }
      expect(caught?.code).toBe('ALLSPARK_PLUGIN_OPTIONS');
    }
  });
});
