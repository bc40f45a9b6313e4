import type { BrokerPayload } from '../../core/broker';

/**
 * What one broker message looks like on Redis: a kind byte (text or
 * bytes), the origin node id (length-prefixed, latin1) and the payload as
 * it was given. One allocation per publish; the payload is never re-encoded.
 */
const TEXT = 0;
const BYTES = 1;

/** Wrap `payload` from node `origin` (ids are short ASCII: at most 255 bytes). */
export function seal(origin: string, payload: BrokerPayload): Buffer {
  const head = 2 + origin.length;
  const text = typeof payload === 'string';
  const size = text ? Buffer.byteLength(payload) : payload.byteLength;
  const out = Buffer.allocUnsafe(head + size);
  out[0] = text ? TEXT : BYTES;
  out[1] = origin.length;
  out.write(origin, 2, 'latin1');
  if (text) out.write(payload, head, 'utf8');
  else out.set(payload, head);
  return out;
}

/** The origin node id of a sealed message. */
export function originOf(message: Buffer): string {
  return message.toString('latin1', 2, 2 + message[1]);
}

/** The payload of a sealed message: text as a string, bytes as a view into `message`. */
export function payloadOf(message: Buffer): BrokerPayload {
  const head = 2 + message[1];
  return message[0] === TEXT ? message.toString('utf8', head) : message.subarray(head);
}

/** Is this a message `seal` could have made? (Redis channels may carry anything.) */
export function isSealed(message: Buffer): boolean {
  return message.length >= 2 && message[0] <= BYTES && message.length >= 2 + message[1];
}
