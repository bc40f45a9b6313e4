import * as EJSON from 'ejson';
import type { Frame, Parser } from '../../core/types';
import { DEFAULT_DECODE_LIMITS, decodeFailure, type DecodeLimits } from '../../core/decode-limits';
import { checkJsonText } from '../json-parser/scan';

// `fatal`: text that is not UTF-8 is a corrupt frame, not something to patch with U+FFFD.
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Could the text hold a `"__proto__"` key? Letters can only hide behind `\u` escapes in JSON. */
const MAYBE_PROTO = /proto|\\u/;

function dropProto(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value;
}

/**
 * Primus's `ejson` parser: EJSON text frames (Meteor's Extended JSON via
 * the `ejson` package): Dates as `{"$date":ms}`, binary as
 * `{"$binary":base64}`, NaN/±Infinity, RegExps and custom types added with
 * `EJSON.addType`. Everything else follows JSON: functions and `undefined`
 * members are left out, `encode(undefined)` sends nothing, cycles throw.
 * Frames are held to `limits` (depth, entries) before they are parsed
 * (EJSON's clone of the tree recurses); every decoding failure is a `ParserError`.
 */
export function createEjsonCodec(limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Parser {
  return {
    name: 'ejson',
    binary: false,
    encode(data: unknown): Frame | undefined {
      return EJSON.stringify(data);
    },
    decode(frame: Frame): unknown {
      try {
        const text = typeof frame === 'string' ? frame : utf8(frame);
        checkJsonText(text, limits, 'EJSON');
        // EJSON.parse clones the parsed tree by assignment, which turns a "__proto__"
        // key into the object's prototype; such keys are dropped instead.
        if (!MAYBE_PROTO.test(text)) return EJSON.parse(text);
        return EJSON.fromJSONValue(JSON.parse(text, dropProto));
      } catch (err) {
        throw decodeFailure('EJSON', err);
      }
    },
  };
}

/** The EJSON codec with the default limits (clients and the browser library use it). */
export const ejsonCodec: Parser = createEjsonCodec();

/** Text sent in a binary frame (a peer may do that; Primus's json parser would hand the bytes on). */
function utf8(frame: Uint8Array | ArrayBuffer): string {
  try {
    return textDecoder.decode(frame);
  } catch (err) {
    throw new Error('EJSON: the binary frame is not UTF-8 text', { cause: err });
  }
}
