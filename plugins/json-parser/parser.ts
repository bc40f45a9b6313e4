import type { Frame, Parser } from '../../core/types';
import { DEFAULT_DECODE_LIMITS, decodeFailure, type DecodeLimits } from '../../core/decode-limits';
import { checkJsonText } from './scan';
import { jsonText } from './plain';

/**
 * JSON text frames, as Primus's `json` parser: non-string frames are passed
 * through undecoded on the wire level, except that we decode text carried in
 * binary frames too, so a JSON server never hands raw bytes to `data`
 * (Primus does, spec §7.28). Frames are held to `limits` (depth, entries)
 * before they are parsed; every decoding failure is a `ParserError`.
 */
export function createJsonCodec(limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Parser {
  return {
    name: 'json',
    binary: false,
    encode(data: unknown): Frame | undefined {
      return JSON.stringify(data);
    },
    decode(frame: Frame): unknown {
      try {
        const text = jsonText(frame);
        checkJsonText(text, limits, 'json');
        return JSON.parse(text);
      } catch (err) {
        throw decodeFailure('json', err);
      }
    },
  };
}

/** The JSON codec with the default limits (clients and the browser library use it). */
export const jsonParser: Parser = createJsonCodec();
