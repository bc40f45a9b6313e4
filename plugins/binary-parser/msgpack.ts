import type { Frame, Parser } from '../../core/types';
import { frameBytes, isStackOverflow } from './bytes';
import { LITE_DATES, installLiteExtensions, type MsgpackrModule } from './msgpack-lite';

function refuseFunction(): never {
  throw new TypeError('cannot encode a function');
}

/**
 * Primus's `msgpack` parser: standard MessagePack through msgpackr (the
 * module is passed in: Node loads the optional package, the browser chunk
 * bundles it). `{a:1,b:"x"}` is `82 a1 61 01 a1 62 a1 78`. Dates travel as
 * msgpack-lite's extension 0x0d (and msgpackr's timestamp extension -1 is
 * read too); binary values decode to Uint8Array (Buffer when the frame is one).
 */
export function createMsgpackCodec(msgpackr: MsgpackrModule): Parser {
  const { Packr, C1 } = msgpackr;
  // Plain MessagePack, readable by msgpack-lite. msgpackr's defaults are not: they add records
  // (0xd4 0x72 …), always write objects as map16, send `undefined` as fixext 0 and turn functions into nil.
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
  installLiteExtensions(msgpackr, (bytes) => packr.unpack(bytes));
  return {
    name: 'msgpack',
    binary: true,
    encode(data: unknown): Frame {
      try {
        return packr.pack(data);
      } catch (err) {
        if (isStackOverflow(err)) {
          throw new TypeError('msgpack: cannot encode a circular structure or a value nested this deeply', { cause: err });
        }
        throw prefixed(err);
      }
    },
    decode(frame: Frame): unknown {
      // subarray(0): msgpackr caches a DataView on its input; keep that off the caller's frame.
      const bytes = frameBytes(frame, 'msgpack').subarray(0);
      let value: unknown;
      try {
        value = packr.unpack(bytes);
      } catch (err) {
        if (isStackOverflow(err)) throw new Error('msgpack: frame nested too deeply to decode', { cause: err });
        throw prefixed(err);
      }
      // msgpackr returns a marker object for the never-used byte 0xc1 instead of failing.
      if (value === C1) throw new Error('msgpack: 0xc1 is not a MessagePack value');
      return value;
    },
  };
}

function prefixed(err: unknown): Error {
  const message = (err as { message?: unknown } | null)?.message;
  return new Error(`msgpack: ${typeof message === 'string' ? message : String(err)}`, { cause: err });
}
