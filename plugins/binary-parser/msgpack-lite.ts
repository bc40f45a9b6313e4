import { Packr, addExtension } from 'msgpackr';

/**
 * msgpack-lite (what Primus's `msgpack` parser runs, through
 * `primus-msgpack`) sends Dates, typed arrays, ArrayBuffers, Errors and
 * RegExps as extension types 0x01–0x1d, which msgpackr does not know
 * ("Unknown extension type 13"). This file teaches msgpackr to read them
 * and to write Dates the msgpack-lite way (ext 0x0d), since msgpack-lite
 * reads msgpackr's timestamp extension (-1) as an opaque ExtBuffer.
 *
 * msgpackr keeps extensions in one table per module, so registering is
 * global. Reading: the types 0x01–0x1d are unused by msgpackr, so other
 * users only see values where they saw an error. Writing: the Date
 * extension checks the Packr it runs for and writes msgpackr's own
 * timestamp for every Packr not marked with {@link LITE_DATES}.
 */

/** Marks a Packr that writes Dates as msgpack-lite does. Registered symbol: every copy of this module agrees. */
export const LITE_DATES = Symbol.for('allspark.msgpack.liteDates');
const INSTALLED = Symbol.for('allspark.msgpack.liteExtensions');

type Extension = Parameters<typeof addExtension>[0];
type Allocate = (size: number) => { target: Uint8Array; targetView: DataView; position: number };
type PackrLike = { [LITE_DATES]?: boolean; useTimestamp32?: boolean; useToJSON?: boolean; onInvalidDate?: () => unknown };

const ERRORS: ReadonlyArray<[number, ErrorConstructor]> = [
  [0x0e, Error],
  [0x01, EvalError],
  [0x02, RangeError],
  [0x03, ReferenceError],
  [0x04, SyntaxError],
  [0x05, TypeError],
  [0x06, URIError],
];

type ViewConstructor = new (buffer: ArrayBuffer) => ArrayBufferView;
const VIEWS: ReadonlyArray<[number, ViewConstructor]> = [
  [0x11, Int8Array],
  [0x12, Uint8Array],
  [0x13, Int16Array],
  [0x14, Uint16Array],
  [0x15, Int32Array],
  [0x16, Uint32Array],
  [0x17, Float32Array],
  [0x18, Float64Array],
  [0x19, Uint8ClampedArray],
  [0x1b, Uint8Array], // a Node Buffer on the msgpack-lite side
  [0x1d, DataView],
];

/**
 * How an extension's payload is decoded: msgpackr hands extensions the
 * payload and a function reading a value at a position of the frame.
 */
export type PayloadReader = (payload: Uint8Array, readAt?: (position: number) => unknown) => unknown;

/** Register the msgpack-lite extensions once per msgpackr copy; `unpack` reads an extension's payload. */
export function installLiteExtensions(unpack: PayloadReader): void {
  const flags = Packr as unknown as Record<symbol, boolean | undefined>;
  if (flags[INSTALLED]) return;
  flags[INSTALLED] = true;
  const readDate: PayloadReader = (data, readAt) => new Date(Number(unpack(data, readAt)));
  const date = { Class: Date, type: 0x0d, pack: packDate, unpack: readDate };
  // msgpackr's typings know only the one-argument `pack(value)`; it calls `pack(value, allocate, pack)` on the Packr.
  addExtension(date as unknown as Extension);
  for (const [type, ErrorClass] of ERRORS) {
    addExtension(nested(type, (data, readAt) => toError(ErrorClass, unpack(data, readAt))));
  }
  addExtension(
    nested(0x0a, (data, readAt) => {
      const [source, flags] = unpack(data, readAt) as [string, string];
      return new RegExp(source, flags);
    }),
  );
  // Boolean, String and Number wrapper objects: the primitive is what anyone wants.
  for (const type of [0x0b, 0x0c, 0x0f]) addExtension(nested(type, unpack));
  // Copied into a fresh buffer: aligned for the view, and not aliasing the frame.
  for (const [type, View] of VIEWS) addExtension({ type, unpack: (data: Uint8Array) => new View(new Uint8Array(data).buffer) });
  addExtension({ type: 0x1a, unpack: (data: Uint8Array) => new Uint8Array(data).buffer });
}

/** An extension whose payload is a MessagePack value; msgpackr's typings know only `unpack(payload)`. */
function nested(type: number, unpack: PayloadReader): Extension {
  return { type, unpack } as unknown as Extension;
}

function toError(ErrorClass: ErrorConstructor, fields: unknown): Error {
  const { name, message, stack } = (fields ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
  const err = new ErrorClass(typeof message === 'string' ? message : undefined);
  if (typeof name === 'string') err.name = name;
  if (typeof stack === 'string') err.stack = stack;
  return err;
}

function packDate(this: PackrLike, date: Date, allocate: Allocate, pack: (value: unknown) => void): Uint8Array | undefined {
  if (this[LITE_DATES] === true) return liteDate(date.getTime());
  return msgpackrTimestamp.call(this, date, allocate, pack);
}

/** msgpack-lite's ext 0x0d payload: the time in ms as msgpack-lite encodes a number. */
function liteDate(ms: number): Uint8Array {
  if ((ms | 0) !== ms) {
    const out = new Uint8Array(9);
    out[0] = 0xcb;
    new DataView(out.buffer).setFloat64(1, ms);
    return out;
  }
  if (ms >= 0) {
    if (ms < 0x80) return Uint8Array.of(ms);
    if (ms < 0x100) return Uint8Array.of(0xcc, ms);
    if (ms < 0x10000) return Uint8Array.of(0xcd, ms >> 8, ms & 0xff);
    return Uint8Array.of(0xce, ms >>> 24, (ms >> 16) & 0xff, (ms >> 8) & 0xff, ms & 0xff);
  }
  if (ms >= -0x20) return Uint8Array.of(ms & 0xff);
  if (ms >= -0x80) return Uint8Array.of(0xd0, ms & 0xff);
  if (ms >= -0x8000) return Uint8Array.of(0xd1, (ms >> 8) & 0xff, ms & 0xff);
  return Uint8Array.of(0xd2, (ms >>> 24) & 0xff, (ms >> 16) & 0xff, (ms >> 8) & 0xff, ms & 0xff);
}

/** msgpackr 2.x's own Date writer (timestamp extension -1), for Packrs that are not ours. */
function msgpackrTimestamp(this: PackrLike, date: Date, allocate: Allocate, pack: (value: unknown) => void): undefined {
  if (date.constructor !== Date && this.useToJSON !== false && date.toJSON !== Date.prototype.toJSON) {
    const json = date.toJSON();
    if ((json as unknown) !== date) {
      allocate(0);
      pack(json);
      return undefined;
    }
  }
  const seconds = date.getTime() / 1000;
  if ((this.useTimestamp32 || date.getMilliseconds() === 0) && seconds >= 0 && seconds < 0x100000000) {
    const { target, targetView, position } = allocate(6);
    target[position] = 0xd6;
    target[position + 1] = 0xff;
    targetView.setUint32(position + 2, seconds);
  } else if (seconds > 0 && seconds < 0x400000000) {
    const { target, targetView, position } = allocate(10);
    target[position] = 0xd7;
    target[position + 1] = 0xff;
    targetView.setUint32(position + 2, date.getMilliseconds() * 4000000 + ((seconds / 0x100000000) >> 0));
    targetView.setUint32(position + 6, seconds);
  } else if (Number.isNaN(seconds)) {
    if (this.onInvalidDate) {
      allocate(0);
      pack(this.onInvalidDate());
      return undefined;
    }
    const { target, position } = allocate(3);
    target[position] = 0xd4;
    target[position + 1] = 0xff;
    target[position + 2] = 0xff;
  } else {
    const { target, targetView, position } = allocate(15);
    target[position] = 0xc7;
    target[position + 1] = 12;
    target[position + 2] = 0xff;
    targetView.setUint32(position + 3, date.getMilliseconds() * 1000000);
    targetView.setBigInt64(position + 7, BigInt(Math.floor(seconds)));
  }
  return undefined;
}
