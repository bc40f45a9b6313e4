import { Packr, C1 } from 'msgpackr';
import type { Frame, Parser } from '../../core/types';
import { DEFAULT_DECODE_LIMITS, decodeFailure, type DecodeLimits } from '../../core/decode-limits';
import { ErrorCodes, ParserError } from '../../core/errors';
import { frameBytes, isStackOverflow } from './bytes';
import { LITE_DATES, installLiteExtensions, type PayloadReader } from './msgpack-lite';
import { checkMsgpack } from './msgpack-scan';

function refuseFunction(): never {
  throw new TypeError('cannot encode a function');
}

/**
 * Plain MessagePack, readable by msgpack-lite (Primus's `msgpack` parser).
 * msgpackr's defaults are not: they add records (0xd4 0x72 …), always write
 * objects as map16, send `undefined` as fixext 0 and silently turn
 * functions into nil.
 */
const packr = new Packr({
  useRecords: false,
  variableMapSize: true,
  encodeUndefinedAsNil: true,
  writeFunction: refuseFunction,
  // 64-bit integers read as numbers (precision ends at 2^53), as msgpack-lite does; not BigInts.
  int64AsType: 'number',
  // Binary values are copies: they neither pin nor alias the frame.
  copyBuffers: true,
  mapsAsObjects: true,
});
(packr as unknown as Record<symbol, boolean>)[LITE_DATES] = true;

/** The frame being decoded, so extension payloads can be read in place. */
let decoding: Uint8Array | null = null;

/**
 * Decode a msgpack-lite extension's payload (itself a MessagePack value).
 * A nested `packr.unpack` would make msgpackr save its state, which copies
 * the whole frame: once per extension value, so a frame of many Dates cost
 * its size times their number. Inside our own frame the payload is read in
 * place instead, at its offset, with the reader msgpackr hands extensions.
 */
const readPayload: PayloadReader = (payload, readAt) => {
  const frame = decoding;
  // fixext1 payloads come without a reader: one byte, which can only be a one-byte value.
  if (payload.length === 1) return oneByteValue(payload[0]);
  if (readAt !== undefined && frame !== null && payload.buffer === frame.buffer) {
    return readAt(payload.byteOffset - frame.byteOffset);
  }
  return packr.unpack(payload);
};

/** The MessagePack value a single byte holds: a fixint, nil or a boolean. */
function oneByteValue(byte: number): unknown {
  if (byte < 0x80) return byte;
  if (byte >= 0xe0) return byte - 0x100;
  if (byte === 0xc0) return null;
  if (byte === 0xc2 || byte === 0xc3) return byte === 0xc3;
  throw new Error(`msgpack: 0x${byte.toString(16)} is not a one-byte extension payload`);
}
installLiteExtensions(readPayload);

/**
 * Primus's `msgpack` parser: standard MessagePack through msgpackr.
 * `{a:1,b:"x"}` is `82 a1 61 01 a1 62 a1 78`. Dates travel as
 * msgpack-lite's extension 0x0d (and msgpackr's timestamp extension -1 is
 * read too); binary values decode to Uint8Array (Buffer when the frame is one).
 * Every frame's structure is checked against `limits` before msgpackr
 * decodes it; every decoding failure is a `ParserError`.
 */
export function createMsgpackCodec(limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Parser {
  return {
    name: 'msgpack',
    binary: true,
    encode,
    decode(frame: Frame): unknown {
      try {
        // subarray(0): msgpackr caches a DataView on its input; keep that off the caller's frame.
        const bytes = frameBytes(frame, 'msgpack').subarray(0);
        checkMsgpack(bytes, limits);
        return unpack(bytes);
      } catch (err) {
        if (isStackOverflow(err)) throw new ParserError(ErrorCodes.PARSE, 'msgpack: frame nested too deeply to decode', err);
        throw decodeFailure('msgpack', err);
      }
    },
  };
}

function encode(data: unknown): Frame {
  try {
    return packr.pack(data);
  } catch (err) {
    if (isStackOverflow(err)) {
      throw new TypeError('msgpack: cannot encode a circular structure or a value nested this deeply', { cause: err });
    }
    throw prefixed(err);
  }
}

function unpack(bytes: Uint8Array): unknown {
  const outer = decoding;
  decoding = bytes;
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } finally {
    decoding = outer;
  }
  // msgpackr returns a marker object for the never-used byte 0xc1 instead of failing.
  if (value === C1) throw new Error('msgpack: 0xc1 is not a MessagePack value');
  return value;
}

/** The msgpack codec with the default limits (clients and the browser library use it). */
export const msgpackCodec: Parser = createMsgpackCodec();

function prefixed(err: unknown): Error {
  const message = (err as { message?: unknown } | null)?.message;
  return new Error(`msgpack: ${typeof message === 'string' ? message : String(err)}`, { cause: err });
}
