/**
 * The wire format of typed events and acknowledgements: primus-emitter's,
 * so browser code written for primus-emitter works against our server and
 * back. Every packet is an ordinary message for the parser:
 *
 *   event: `{ type: 0, data: [name, ...args], id? }` (`id` asks for a reply)
 *   reply: `{ type: 1, id, data: [error, reply] }`  (`error` is null or `{ code, message, … }`)
 *
 * Browser-safe: no zod, no Node.
 */
export const EVENT = 0;
export const ACK = 1;

export interface EventPacket {
  type: typeof EVENT | typeof ACK;
  data: unknown[];
  id?: number;
}

/** What an error looks like on the wire. */
export interface WireError {
  code: string;
  message: string;
  event?: string;
  path?: string;
  issues?: Array<{ path: string; message: string }>;
}

/** The event carrying errors the server reports without a request to answer (invalid fire-and-forget events). */
export const ERROR_EVENT = 'allspark:error';

/** An event packet for `event` with one payload (none when `undefined`). */
export function eventPacket(event: string, payload?: unknown, id?: number): EventPacket {
  const packet: EventPacket = { type: EVENT, data: payload === undefined ? [event] : [event, payload] };
  if (id !== undefined) packet.id = id;
  return packet;
}

/** A reply packet. */
export function ackPacket(id: number, error: WireError | null, reply?: unknown): EventPacket {
  return { type: ACK, id, data: reply === undefined ? [error] : [error, reply] };
}

/** Is a decoded message an event or reply packet (as primus-emitter decides)? */
export function isPacket(data: unknown): data is EventPacket {
  if (!data || typeof data !== 'object') return false;
  const p = data as EventPacket;
  return (p.type === EVENT || p.type === ACK) && Array.isArray(p.data) && (p.id === undefined || typeof p.id === 'number');
}
