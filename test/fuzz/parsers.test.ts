/**
 * Property tests of every parser: values round-trip; arbitrary, mutated and
 * hostile frames either decode or fail with a ParserError (ALLSPARK_PARSE),
 * never anything else; decoding takes bounded time, and what it builds is
 * bounded by the frame's size and the decode limits.
 */
import fc from 'fast-check';
import type { Frame, Parser } from '../../core/types';
import { ParserError } from '../../core/errors';
import { DEFAULT_DECODE_LIMITS } from '../../core/decode-limits';
import { jsonParser } from '../../plugins/json-parser';
import { ejsonCodec } from '../../plugins/ejson-parser';
import { binaryPackCodec, msgpackCodec } from '../../plugins/binary-parser';
import { fuzzParameters, fuzzTimeout } from './settings';
import { hostileFrame, mutatedFrame } from './frames';

const CODECS: Array<[string, Parser]> = [
  ['json', jsonParser],
  ['ejson', ejsonCodec],
  ['binary', binaryPackCodec],
  ['msgpack', msgpackCodec],
];

/** The slowest a single decode may be (a busy 2-core machine; the limits make real decodes far faster). */
const DECODE_MS = 500;

jest.setTimeout(fuzzTimeout(1, 1, 60_000));

/** JSON values as every codec carries them: no `__proto__` keys (dropped or renamed on purpose), no -0. */
const jsonValues = fc
  .jsonValue({ maxDepth: 6 })
  .filter((v) => !JSON.stringify(v).includes('"__proto__"'))
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/** Values with binary data in them, for the binary codecs. */
const binaryValues = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.uint8Array({ maxLength: 64 }),
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Decode, and classify: the value, or the error it threw. */
function decodeTimed(codec: Parser, frame: Frame): { value?: unknown; error?: unknown; ms: number } {
  const start = performance.now();
  try {
    const value = codec.decode(frame);
    return { value, ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

/** Only ParserErrors with ALLSPARK_PARSE, within the time bound. */
function expectParserErrorOrValue(outcome: { error?: unknown; ms: number }): void {
  if (outcome.error !== undefined) {
    expect(outcome.error).toBeInstanceOf(ParserError);
    expect((outcome.error as ParserError).code).toBe('ALLSPARK_PARSE');
  }
  expect(outcome.ms).toBeLessThan(DECODE_MS);
}

/**
 * Walk a decoded value without recursion: its depth, its largest container,
 * how many values and how much string/binary data it holds.
 */
function measure(root: unknown): { depth: number; widest: number; nodes: number; data: number } {
  const stack: Array<[unknown, number]> = [[root, 0]];
  const seen = new Set<object>();
  let depth = 0;
  let widest = 0;
  let nodes = 0;
  let data = 0;
  while (stack.length > 0) {
    const [value, level] = stack.pop()!;
    nodes++;
    depth = Math.max(depth, level);
    if (typeof value === 'string') data += value.length;
    else if (ArrayBuffer.isView(value)) data += value.byteLength;
    else if (value instanceof ArrayBuffer) data += value.byteLength;
    else if (value !== null && typeof value === 'object' && !seen.has(value)) {
      seen.add(value);
      const children = value instanceof Map || value instanceof Set ? [...value.values()] : Object.values(value);
      widest = Math.max(widest, children.length);
      for (const child of children) stack.push([child, level + 1]);
    }
  }
  return { depth, widest, nodes, data };
}

/** What a decoded frame may cost: within the limits, and no more values or data than the frame has bytes. */
function expectBounded(value: unknown, frame: Frame): void {
  const size = typeof frame === 'string' ? frame.length : (frame as Uint8Array).byteLength;
  const m = measure(value);
  // msgpack's extension values add a level each (an Error is a level around its fields).
  expect(m.depth).toBeLessThanOrEqual(DEFAULT_DECODE_LIMITS.maxDepth + DEFAULT_DECODE_LIMITS.maxExtensionDepth);
  expect(m.widest).toBeLessThanOrEqual(DEFAULT_DECODE_LIMITS.maxEntries);
  expect(m.nodes).toBeLessThanOrEqual(size + 1);
  expect(m.data).toBeLessThanOrEqual(size);
}

describe.each(CODECS)('%s parser', (name, codec) => {
  const text = !codec.binary;

  it('round-trips JSON values', () => {
    fc.assert(
      fc.property(jsonValues, (value) => {
        expect(codec.decode(codec.encode(value)!)).toEqual(value);
      }),
      fuzzParameters(150, 20_000),
    );
  });

  if (!text) {
    it('round-trips values holding binary data', () => {
      fc.assert(
        fc.property(binaryValues, (value) => {
          const back = codec.decode(codec.encode(value)!);
          expect(normaliseBinary(back)).toEqual(normaliseBinary(value));
        }),
        fuzzParameters(150, 20_000),
      );
    });
  }

  it('decodes arbitrary bytes and text or fails with a ParserError, in bounded time and memory', () => {
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      fc.string({ unit: 'binary', maxLength: 256 }),
      fc.string({ unit: 'grapheme-ascii', maxLength: 256 }),
    );
    fc.assert(
      fc.property(frames, (frame) => {
        const outcome = decodeTimed(codec, frame);
        expectParserErrorOrValue(outcome);
        if (outcome.error === undefined) expectBounded(outcome.value, frame);
      }),
      fuzzParameters(400, 100_000),
    );
  });

  it('decodes mutated frames or fails with a ParserError, in bounded time and memory', () => {
    fc.assert(
      fc.property(mutatedFrame(codec, jsonValues), (frame) => {
        const outcome = decodeTimed(codec, frame);
        expectParserErrorOrValue(outcome);
        if (outcome.error === undefined) expectBounded(outcome.value, frame);
      }),
      fuzzParameters(250, 50_000),
    );
  });

  it('refuses hostile structures (deep, wide, nested extensions, huge integers) before building them', () => {
    fc.assert(
      fc.property(hostileFrame(name), (frame) => {
        const outcome = decodeTimed(codec, frame);
        expectParserErrorOrValue(outcome);
        if (outcome.error === undefined) expectBounded(outcome.value, frame);
      }),
      fuzzParameters(60, 5_000),
    );
  });
});

/** Binary values compared as plain byte arrays (a Buffer frame decodes to Buffers). */
function normaliseBinary(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (Array.isArray(value)) return value.map(normaliseBinary);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseBinary(v)]));
  }
  return value;
}
