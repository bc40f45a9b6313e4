import type { Frame } from '../../core/types';

/**
 * The bytes of a binary frame, without copying: Node's `ws` hands us
 * Buffers (a Uint8Array subclass), browsers ArrayBuffers. A text frame is
 * refused: a binary parser's peer never sends one, so it is a wrong peer or
 * a wrong parser, and guessing an encoding would hide that.
 */
export function frameBytes(frame: Frame, codec: string): Uint8Array {
  // Tag checks, not instanceof: frames may come from another realm (vm contexts, iframes, test runners).
  if (ArrayBuffer.isView(frame)) {
    if (frame instanceof Uint8Array) return frame;
    const view = frame as ArrayBufferView;
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  if (Object.prototype.toString.call(frame) === '[object ArrayBuffer]') return new Uint8Array(frame as ArrayBuffer);
  const got = typeof frame === 'string' ? 'a text frame' : `a ${describeType(frame)}`;
  throw new TypeError(`${codec}: expected a binary frame (Uint8Array or ArrayBuffer), got ${got}`);
}

/** `Map`, `Array`, `number`…: for error messages about values we cannot handle. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'object';
}

/** A stack overflow while walking a value: a cycle or absurd nesting. */
export function isStackOverflow(err: unknown): boolean {
  const { name, message } = (err ?? {}) as { name?: unknown; message?: unknown };
  return name === 'RangeError' && typeof message === 'string' && /call stack/i.test(message);
}
