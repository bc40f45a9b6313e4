import type { Frame, Parser } from '../../core/types';
import { frameBytes, isStackOverflow } from './bytes';
import { DEFAULT_DECODE_LIMITS, decodeFailure, type DecodeLimits } from '../../core/decode-limits';
import { pack } from './binarypack-pack';
import { unpack } from './binarypack-unpack';

/**
 * Primus's `binary` parser: BinaryPack, the format of the `binary-pack`
 * package (Eric Zhang's js-binarypack). It looks like MessagePack but moves
 * types around: 0xa0–0xaf / 0xda / 0xdb are binary, 0xb0–0xbf / 0xd8 / 0xd9
 * strings, so `{a:1,b:"x"}` is `82 b1 61 01 b1 62 b1 78`. Written here
 * rather than through the package, whose Node half needs `Buffer` and
 * `fs` and whose browser half returns a `Blob`. Works the same in Node and
 * browsers; binary values decode to Uint8Array (Buffer when the frame is one).
 * Frames are held to `limits` (depth, entries); every decoding failure is a `ParserError`.
 */
export function createBinaryPackCodec(limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Parser {
  return {
    name: 'binary',
    binary: true,
    encode(data: unknown): Frame {
      try {
        return pack(data);
      } catch (err) {
        if (isStackOverflow(err)) throw new TypeError('BinaryPack: value nested too deeply to encode', { cause: err });
        throw err;
      }
    },
    decode(frame: Frame): unknown {
      try {
        return unpack(frameBytes(frame, 'BinaryPack'), limits);
      } catch (err) {
        throw decodeFailure('BinaryPack', err);
      }
    },
  };
}

/** The BinaryPack codec with the default limits (clients and the browser library use it). */
export const binaryPackCodec: Parser = createBinaryPackCodec();
