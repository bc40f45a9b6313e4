/**
 * RFC 6455 §5.2 framing for server-to-client messages (FIN set, unmasked,
 * no extensions): what a broadcast sends to every socket, built once.
 */
import type { Frame } from '../../core/types';

const TEXT_OPCODE = 0x1;
const BINARY_OPCODE = 0x2;

/** Bytes of the header for a payload of `length` bytes. */
function headerLength(length: number): number {
  return length < 126 ? 2 : length < 0x10000 ? 4 : 10;
}

/** Write the header for a payload of `length` bytes at the start of `out`. */
function writeHeader(out: Buffer, length: number, opcode: number): void {
  out[0] = 0x80 | opcode;
  if (length < 126) {
    out[1] = length;
  } else if (length < 0x10000) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    out.writeUInt32BE(length >>> 0, 6);
  }
}

/**
 * The complete frame for a message (text or binary opcode as `binary`
 * says), built in one buffer: a room write frames once per room, so this
 * runs once per room of a write to many rooms, and one allocation (the
 * payload written in place after its header) is all it costs.
 */
export function wireFrame(frame: Frame, binary: boolean): Buffer {
  const bytes = typeof frame === 'string' ? undefined : frame instanceof ArrayBuffer ? new Uint8Array(frame) : frame;
  const length = bytes === undefined ? Buffer.byteLength(frame as string) : bytes.byteLength;
  const head = headerLength(length);
  const wire = Buffer.allocUnsafe(head + length);
  writeHeader(wire, length, binary ? BINARY_OPCODE : TEXT_OPCODE);
  if (bytes === undefined) wire.write(frame as string, head, length, 'utf8');
  else wire.set(bytes, head);
  return wire;
}

/** The payload of a frame {@link wireFrame} built: a view, no copy. */
export function payloadOf(wire: Buffer): Buffer {
  const length = wire[1] & 0x7f;
  return wire.subarray(length < 126 ? 2 : length === 126 ? 4 : 10);
}
