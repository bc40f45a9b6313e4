/**
 * The events plugin's JSON envelope layer (plugins/events/json-envelope.ts):
 * it reads and writes primus-emitter's packets without parsing or
 * serializing the envelope, and must be indistinguishable from the JSON
 * parser it sits on: every frame decodes to what the JSON parser makes of
 * it (or fails as it does), every value encodes to text that parses back to
 * what JSON.stringify's text does.
 */
import fc from 'fast-check';
import type { Frame, Parser } from '../../core/types';
import { ParserError } from '../../core/errors';
import { createJsonCodec, jsonParser } from '../../plugins/json-parser';
import { jsonEnvelopeLayer } from '../../plugins/events/json-envelope';
import { msgpackCodec } from '../../plugins/binary-parser';
import { fuzzParameters, fuzzTimeout } from '../fuzz/settings';
import { mutatedFrame } from '../fuzz/frames';

jest.setTimeout(fuzzTimeout());

const layer = jsonEnvelopeLayer(jsonParser);

/** What `codec` makes of `frame`: the value, or the error's class and code. */
function outcome(codec: Parser, frame: Frame): unknown {
  try {
    return { value: codec.decode(frame) };
  } catch (err) {
    return { error: (err as Error).constructor.name, code: (err as ParserError).code };
  }
}

const jsonValues = fc
  .jsonValue({ maxDepth: 4 })
  .filter((v) => !JSON.stringify(v).includes('"__proto__"'))
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/** Event and reply packets as primus-emitter and our clients write them, with names that need escaping too. */
const packets = fc.record(
  {
    type: fc.constantFrom(0, 1),
    data: fc.oneof(
      fc.tuple(fc.string({ maxLength: 12 }), jsonValues).map((t) => [...t]),
      fc.tuple(fc.constantFrom('sum', 'chat', 'a"b', 'ü ✓', 'x\\y', 'tab\there')).map((t) => [...t]),
      fc.array(jsonValues, { maxLength: 4 }),
    ),
    id: fc.option(fc.integer({ min: 1, max: 2 ** 40 }), { nil: undefined }),
  },
  { requiredKeys: ['type', 'data'] },
);

/** The envelope's opening followed by a jumble of the tokens its end is recognized by. */
const jumbles = fc
  .array(
    fc.constantFrom(',', ']', '}', '[', '{', '"', '\\', ':', '"id":', ',"id":', '0', '7', '12', '-', '.', 'e', 'null', ' ', 'x', '"a"', '\u0001'),
    { maxLength: 14 },
  )
  .map((tokens) => '{"type":0,"data":["' + tokens.join('') as Frame);

describe('reading the envelope', () => {
  test.each([
    ['a request', '{"type":0,"data":["sum",{"a":1,"b":2}],"id":7}'],
    ['an event without an id', '{"type":0,"data":["chat",{"text":"hi"}]}'],
    ['an event without a payload', '{"type":0,"data":["ping"],"id":3}'],
    ['a payload holding the envelope\'s own tokens', '{"type":0,"data":["x","],\\"id\\":5}"],"id":9}'],
    ['an array payload ending like the envelope', '{"type":0,"data":["x",[1,"]"]],"id":12}'],
    ['each JSON type as payload', '{"type":0,"data":["x",null]}'],
    ['a string payload', '{"type":0,"data":["x","plain"],"id":1}'],
    ['a unicode name', '{"type":0,"data":["ü ✓",true],"id":2}'],
    ['an escaped name (ordinary path)', '{"type":0,"data":["a\\"b",1],"id":2}'],
    ['several arguments (ordinary path)', '{"type":0,"data":["x",1,2],"id":4}'],
    ['whitespace (ordinary path)', '{"type": 0, "data": ["x", 1], "id": 4}'],
    ['another key order (ordinary path)', '{"type":0,"id":4,"data":["x",1]}'],
    ['an extra key (ordinary path)', '{"type":0,"data":["x",1],"id":4,"z":1}'],
    ['an extra key before the id (ordinary path)', '{"type":0,"data":["x",1],"z":1,"id":4}'],
    ['a negative id (ordinary path)', '{"type":0,"data":["x",1],"id":-4}'],
    ['a fractional id (ordinary path)', '{"type":0,"data":["x",1],"id":4.5}'],
    ['an id past 2^53 (ordinary path)', '{"type":0,"data":["x",1],"id":90071992547409930}'],
    ['a reply (ordinary path)', '{"type":1,"data":[null,3],"id":7}'],
  ])('%s decodes as the JSON parser decodes it', (_what, frame) => {
    expect(outcome(layer, frame)).toEqual(outcome(jsonParser, frame));
    expect(outcome(layer, frame)).toHaveProperty('value');
  });

  test.each([
    ['a cut frame', '{"type":0,"data":["sum",{"a":1'],
    ['a missing bracket', '{"type":0,"data":["sum",{"a":1}],"id":7'],
    ['a stray bracket', '{"type":0,"data":["x",1]],"id":5}'],
    ['two values without a comma', '{"type":0,"data":["x"1],"id":5}'],
    ['a broken payload', '{"type":0,"data":["x",{"a":}],"id":5}'],
    ['an id with leading zeros', '{"type":0,"data":["x",1],"id":007}'],
    ['a control character in the name', '{"type":0,"data":["a\u0001b",1],"id":5}'],
    ['an unterminated name', '{"type":0,"data":["abc'],
  ])('%s fails as the JSON parser fails (ALLSPARK_PARSE)', (_what, frame) => {
    expect(outcome(layer, frame)).toEqual({ error: 'ParserError', code: 'ALLSPARK_PARSE' });
    expect(outcome(jsonParser, frame)).toEqual({ error: 'ParserError', code: 'ALLSPARK_PARSE' });
  });

  test('the decode limits hold for the payload', () => {
    const strict = jsonEnvelopeLayer(createJsonCodec({ ...DEFAULTS, maxDepth: 3 }));
    const deep = `{"type":0,"data":["x",${'['.repeat(5)}${']'.repeat(5)}],"id":1}`;
    expect(outcome(strict, deep)).toEqual({ error: 'ParserError', code: 'ALLSPARK_PARSE' });
    const wide = jsonEnvelopeLayer(createJsonCodec({ ...DEFAULTS, maxEntries: 3 }));
    expect(outcome(wide, '{"type":0,"data":["x",[1,2,3,4,5]],"id":1}')).toEqual({ error: 'ParserError', code: 'ALLSPARK_PARSE' });
  });

  test('property: any packet, and any edit of one, decodes exactly as the JSON parser decodes it', () => {
    fc.assert(
      fc.property(fc.oneof(packets.map((p) => JSON.stringify(p) as Frame), mutatedFrame(jsonParser, packets), jumbles), (frame) => {
        expect(outcome(layer, frame)).toEqual(outcome(jsonParser, frame));
      }),
      fuzzParameters(3000, 200_000),
    );
  });
});

describe('writing the envelope', () => {
  const parsed = (codec: Parser, value: unknown): unknown => {
    const frame = codec.encode(value);
    return frame === undefined ? undefined : JSON.parse(frame as string);
  };

  test.each([
    ['a request', { type: 0, data: ['sum', { a: 1, b: 2 }], id: 7 }],
    ['a reply in primus-emitter\'s key order', { type: 1, id: 7, data: [null, 3] }],
    ['an error reply', { type: 1, id: 7, data: [{ code: 'X', message: 'no' }] }],
    ['values without JSON inside data', { type: 0, data: ['x', undefined, () => 1, Symbol('s')] }],
    ['a payload with toJSON', { type: 0, data: ['x', { toJSON: () => 'custom' }] }],
    ['a Date payload', { type: 0, data: ['x', new Date(0)] }],
  ])('%s encodes to what JSON.stringify writes', (_what, packet) => {
    expect(parsed(layer, packet)).toEqual(parsed(jsonParser, packet));
  });

  test('a packet with any other key, or a toJSON on its data, is written by JSON.stringify itself', () => {
    const extra = { type: 0, data: ['x', 1], id: 2, stamp: 5 };
    expect(layer.encode(extra)).toBe(JSON.stringify(extra));
    const data = Object.assign(['x', 1], { toJSON: () => 'whole' });
    expect(layer.encode({ type: 0, data })).toBe(JSON.stringify({ type: 0, data }));
    const odd = { type: 0, data: ['x'], id: 1.5 };
    expect(layer.encode(odd)).toBe(JSON.stringify(odd));
  });

  test('messages that are not packets are the JSON parser\'s', () => {
    for (const value of [{ a: 1 }, 'primus::ping::1', [0, 1], { type: 'chat', data: [] }, null, 5]) {
      expect(layer.encode(value)).toBe(jsonParser.encode(value));
    }
  });

  test('property: any packet encodes to text that parses back to what JSON.stringify\'s does', () => {
    fc.assert(
      fc.property(packets, (packet) => {
        expect(parsed(layer, packet)).toEqual(parsed(jsonParser, packet));
      }),
      fuzzParameters(3000, 200_000),
    );
  });
});

test('only the JSON parser gets the layer', () => {
  expect(jsonEnvelopeLayer(msgpackCodec)).toBe(msgpackCodec);
  expect(layer.name).toBe('json');
  expect(layer.binary).toBe(false);
});

const DEFAULTS = { maxDepth: 100, maxEntries: 1_000_000, maxExtensionDepth: 4, maxBigIntBytes: 1024 };
