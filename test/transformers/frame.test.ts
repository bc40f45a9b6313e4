/**
 * The WebSocket frame a broadcast (or a room write) is built into once:
 * header per RFC 6455 §5.2 for every length class, the payload written in
 * place, text (UTF-8, multi-byte included) and bytes alike.
 */
import { payloadOf, wireFrame } from '../../transformers/websockets/frame';

/** The header's fields: FIN + opcode byte, and the payload length it announces. */
function header(wire: Buffer): { first: number; length: number } {
  const short = wire[1] & 0x7f;
  if (short < 126) return { first: wire[0], length: short };
  if (short === 126) return { first: wire[0], length: wire.readUInt16BE(2) };
  return { first: wire[0], length: wire.readUInt32BE(2) * 0x100000000 + wire.readUInt32BE(6) };
}

describe('wireFrame', () => {
  test.each([0, 1, 125, 126, 127, 65_535, 65_536, 70_000])('a text frame of %i bytes: FIN + text opcode, its length, the payload after the header', (size) => {
    const text = 'x'.repeat(size);
    const wire = wireFrame(text, false);
    expect(header(wire)).toEqual({ first: 0x81, length: size });
    expect(payloadOf(wire).toString()).toBe(text);
    expect(wire.length).toBe((size < 126 ? 2 : size < 0x10000 ? 4 : 10) + size);
  });

  test('multi-byte UTF-8 is counted in bytes, not characters', () => {
    const text = 'é€😀'.repeat(30); // 2 + 3 + 4 bytes, 30 times: 270 bytes, 120 UTF-16 units
    const wire = wireFrame(text, false);
    expect(header(wire)).toEqual({ first: 0x81, length: 270 });
    expect(payloadOf(wire).toString('utf8')).toBe(text);
  });

  test('bytes (Uint8Array or ArrayBuffer) are copied after a binary header; the parser may reuse its buffer', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const wire = wireFrame(bytes, true);
    bytes.fill(0);
    expect(header(wire)).toEqual({ first: 0x82, length: 300 });
    expect([...payloadOf(wire)]).toEqual(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const fromBuffer = wireFrame(Uint8Array.of(1, 2, 3).buffer, true);
    expect([...fromBuffer]).toEqual([0x82, 3, 1, 2, 3]);
  });

  test('a text parser sends bytes as text (JSON encoded to bytes): the opcode follows the parser, not the frame', () => {
    expect([...wireFrame(Buffer.from('{}'), false)]).toEqual([0x81, 2, 0x7b, 0x7d]);
  });
});
