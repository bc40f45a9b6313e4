import type { Frame } from '../../core/types';
import type { BrokerPayload } from '../../core/broker';

/**
 * What a room broadcast carries between nodes: the frame encoded once by the
 * publishing node, the rooms it was written to (so a spark in two of them
 * gets it once) and the spark ids left out. Text frames stay text
 * (`<header JSON>\n<frame>`); binary frames get a 4-byte header length.
 */
export interface RoomEnvelope {
  rooms: string[];
  except: string[];
  frame: Frame;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Pack a room broadcast for the broker; the frame is not re-encoded. */
export function packEnvelope(rooms: readonly string[], except: readonly string[], frame: Frame): BrokerPayload {
  const header = JSON.stringify([rooms, except]);
  if (typeof frame === 'string') return header + '\n' + frame;
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  const head = encoder.encode(header);
  const out = new Uint8Array(4 + head.length + bytes.length);
  new DataView(out.buffer).setUint32(0, head.length);
  out.set(head, 4);
  out.set(bytes, 4 + head.length);
  return out;
}

/** Unpack what {@link packEnvelope} made; throws on a malformed payload. */
export function unpackEnvelope(payload: BrokerPayload): RoomEnvelope {
  let header: string;
  let frame: Frame;
  if (typeof payload === 'string') {
    const cut = payload.indexOf('\n');
    if (cut === -1) throw new Error('room envelope without a header');
    header = payload.slice(0, cut);
    frame = payload.slice(cut + 1);
  } else {
    const length = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
    header = decoder.decode(payload.subarray(4, 4 + length));
    frame = payload.subarray(4 + length);
  }
  const [rooms, except] = JSON.parse(header) as [string[], string[]];
  if (!Array.isArray(rooms) || !Array.isArray(except)) throw new Error('room envelope header is not [rooms, except]');
  return { rooms, except, frame };
}
