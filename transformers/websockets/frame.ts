/**
 * RFC 6455 §5.2 framing for server-to-client messages (FIN set, unmasked,
 * no extensions): what a broadcast sends to every socket, built once.
 */
const TEXT_OPCODE = 0x1;
const BINARY_OPCODE = 0x2;

function header(length: number, opcode: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, length]);
  if (length < 0x10000) {
    const out = Buffer.allocUnsafe(4);
    out[0] = 0x80 | opcode;
    out[1] = 126;
    out.writeUInt16BE(length, 2);
    return out;
  }
  const out = Buffer.allocUnsafe(10);
  out[0] = 0x80 | opcode;
  out[1] = 127;
  out.writeUInt32BE(Math.floor(length / 0x100000000), 2);
  out.writeUInt32BE(length >>> 0, 6);
  return out;
}

/** The complete frame for `payload` (text or binary message). */
export function wireFrame(payload: Buffer, binary: boolean): Buffer {
  return Buffer.concat([header(payload.length, binary ? BINARY_OPCODE : TEXT_OPCODE), payload]);
}
