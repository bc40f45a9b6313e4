import type { Frame, Parser } from '../../core/types';
import { EVENT, isPacket, type EventPacket } from './wire';

/**
 * primus-emitter's envelope without the envelope's cost, on the server,
 * for the JSON parser. A request `{"type":0,"data":["sum",{"a":1,"b":2}],"id":7}`
 * costs more to `JSON.parse` than the payload it carries (three objects
 * and a scan of every byte for the decode limits), and a reply object
 * costs more to `JSON.stringify` than its value. This parser layer reads
 * the envelope primus-emitter and our clients write with a few string
 * tests and parses only the payload; it writes event and reply packets by
 * joining their parts' JSON. The bytes on the wire are primus-emitter's,
 * so no client changes and nothing is negotiated.
 *
 * Anything else (another key order, whitespace, escapes in the name,
 * several arguments, extra keys) takes the parser's ordinary path, and so
 * do packets carrying anything but `type`, `data` and `id`. Decode limits
 * hold for the payload, which sits two levels deeper in the whole frame.
 */
export function jsonEnvelopeLayer(inner: Parser): Parser {
  if (inner.name !== 'json' || inner.binary) return inner;
  const layer: Parser = Object.create(inner);
  layer.encode = (data, owner) => (isPlainPacket(data) ? encodePacket(data, inner, owner) : inner.encode(data, owner));
  layer.decode = (frame, owner) => {
    const packet = typeof frame === 'string' && startsAt(frame, EVENT_HEAD, 0) ? decodeEvent(frame, inner, owner) : undefined;
    return packet === undefined ? inner.decode(frame, owner) : packet;
  };
  return layer;
}

const EVENT_HEAD = '{"type":0,"data":["';
const ID_KEY = ',"id":';

/**
 * The event packet of `frame` (which starts with {@link EVENT_HEAD}), or
 * `undefined` when it is not laid out as `…["name"<,payload>]<,"id":n>}`
 * with a plain name and one payload: the caller then parses it whole.
 */
function decodeEvent(frame: string, inner: Parser, owner: object | undefined): EventPacket | undefined {
  const from = EVENT_HEAD.length;
  const quote = frame.indexOf('"', from);
  if (quote === -1 || !plainText(frame, from, quote)) return undefined;
  let last = frame.length - 1;
  if (frame.charCodeAt(last) !== 125 /* } */) return undefined;
  // The id, read backwards digit by digit (no slice, no string-to-number conversion).
  let digits = last;
  let id: number | undefined;
  for (let unit = 1, c = frame.charCodeAt(digits - 1); digits > quote && c >= 48 && c <= 57; c = frame.charCodeAt(--digits - 1)) {
    id = (id ?? 0) + (c - 48) * unit;
    unit *= 10;
  }
  if (id !== undefined) {
    // JSON numbers have no leading zeros (`007` is invalid, `0` is not).
    if (!startsAt(frame, ID_KEY, digits - ID_KEY.length) || (frame.charCodeAt(digits) === 48 && last - digits > 1)) return undefined;
    if (!Number.isSafeInteger(id)) return undefined;
    last = digits - ID_KEY.length;
  }
  // `last` is now the `]` closing `data`; between the name and it: nothing, or `,` and one JSON value.
  const close = last - 1;
  if (frame.charCodeAt(close) !== 93 /* ] */) return undefined;
  const name = frame.slice(from, quote);
  if (close === quote + 1) return { type: EVENT, data: [name], id };
  if (frame.charCodeAt(quote + 1) !== 44 /* , */) return undefined;
  let payload: unknown;
  try {
    payload = inner.decode(frame.slice(quote + 2, close) as Frame, owner);
  } catch {
    // Several arguments (`1,2`), or a malformed frame: the whole-frame parse decides.
    return undefined;
  }
  return { type: EVENT, data: [name, payload], id };
}

/** No backslash (escapes) and no control character (invalid in JSON strings) in `text[from, to)`. */
function plainText(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 92) return false;
  }
  return true;
}

/**
 * Does `text` hold `part` at `at`? `String.prototype.startsWith` costs
 * ~100 ns when it matches (more than all the other tests here together);
 * comparing code units costs a tenth of that, and one test when it does not.
 */
function startsAt(text: string, part: string, at: number): boolean {
  if (at < 0 || text.length < at + part.length) return false;
  for (let i = 0; i < part.length; i++) if (text.charCodeAt(at + i) !== part.charCodeAt(i)) return false;
  return true;
}


/**
 * A packet JSON.stringify would write as its `type`, `data` and `id` only:
 * no other own key, no `toJSON`, an integer id. One a transform added a
 * key to takes the ordinary path, so nothing it added is lost.
 */
function isPlainPacket(data: unknown): data is EventPacket {
  if (!isPacket(data)) return false;
  for (const key in data) if (key !== 'type' && key !== 'data' && key !== 'id') return false;
  const id = data.id;
  return (id === undefined || Number.isSafeInteger(id)) && (data.data as { toJSON?: unknown }).toJSON === undefined;
}

/** `{"type":T,"data":[…],"id":N}`: each element's JSON joined; what JSON.stringify writes, keys in this order. */
function encodePacket(packet: EventPacket, inner: Parser, owner: object | undefined): Frame | undefined {
  const data = packet.data;
  let text = '{"type":' + packet.type + ',"data":[';
  for (let i = 0; i < data.length; i++) {
    const element = inner.encode(data[i], owner);
    // JSON.stringify writes `null` for what has no JSON (undefined, functions) inside an array.
    text += (i === 0 ? '' : ',') + (typeof element === 'string' ? element : 'null');
  }
  return packet.id === undefined ? text + ']}' : text + '],"id":' + packet.id + '}';
}
