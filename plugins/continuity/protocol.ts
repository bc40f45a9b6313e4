/**
 * The continuity wire, shared by both halves (no Node modules: it is
 * bundled into the browser library too).
 *
 * Negotiation: our client adds the query parameter {@link RESUME_PARAM};
 * our server answers only such connections, with a hello control frame as
 * the very first frame. A Primus 8 peer never sends the parameter and never
 * gets a hello; our client against a Primus 8 server never gets one either
 * and stays plain. Data frames are never wrapped: offsets are implicit.
 * Frames arrive in order on one connection, so both ends count them: the
 * hello says which offset the next server frame has, and the query says
 * which sequence number the client's next message has.
 */

/** Query parameter of a continuity client: `1.<session>.<token>.<epoch>.<offset>.<hash>.<seq>`. */
export const RESUME_PARAM = '_continuity';
/** Control type of the server's hello: `primus::continuity::<json>`. */
export const HELLO = 'continuity';
/** Control type of acknowledgements, both ways: `primus::continuity.ack::<n>`. */
export const ACK = 'continuity.ack';
/** Control type of a client that ends for good: `primus::continuity.end::` (the server forgets the session). */
export const END = 'continuity.end';
/** Wire version; a server answers only versions it knows. */
const VERSION = '1';

/** Why a gap could not be filled; see docs/continuity.md. */
export type GapReason = 'expired' | 'trimmed' | 'epoch' | 'mismatch' | 'token' | 'identity' | 'capacity' | 'invalid' | 'unavailable';

/** What a client asks for when it (re)connects. */
export interface ResumeRequest {
  /** Session id (client-made on the first connect, so a hello lost with its connection loses nothing). */
  session: string;
  /** The last token the server issued, or the client-made first one. */
  token: string;
  /** Epoch of the stream the client has read; `''` before the first hello. */
  epoch: string;
  /** Offset of the last server message received; 0 when none. */
  offset: number;
  /** Hash of that message's frame ({@link frameHash}); `''` when none. */
  hash: string;
  /** Sequence number of the first data message the client sends on this connection. */
  seq: number;
}

/** The server's hello. */
export interface Hello {
  /** Session id to keep (a new one when the old could not be resumed). */
  s: string;
  /** Token for the next resume (single use). */
  t: string;
  /** Epoch of the session's stream. */
  e: string;
  /** Offset of the last message before the ones that follow this hello. */
  o: number;
  /** Sequence number of the last client message the server processed. */
  a: number;
  /** 1 when the session continued without a gap, 0 otherwise. */
  r: 0 | 1;
  /** Why not, when `r` is 0 and there was something to resume. */
  why?: GapReason;
}

export function formatResume(r: ResumeRequest): string {
  return [VERSION, r.session, r.token, r.epoch, r.offset, r.hash, r.seq].join('.');
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const OPTIONAL_ID = /^[A-Za-z0-9_-]{0,64}$/;

/** Parse the query parameter; `undefined` when malformed (the server then starts afresh, loudly). */
export function parseResume(value: unknown): ResumeRequest | undefined {
  if (typeof value !== 'string' || value.length > 400) return undefined;
  const p = value.split('.');
  if (p.length !== 7 || p[0] !== VERSION) return undefined;
  const offset = Number(p[4]);
  const seq = Number(p[6]);
  if (!ID.test(p[1]) || !ID.test(p[2]) || !OPTIONAL_ID.test(p[3]) || !OPTIONAL_ID.test(p[5])) return undefined;
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { session: p[1], token: p[2], epoch: p[3], offset, hash: p[5], seq };
}

/** Parse a hello; `undefined` when it is not one. */
export function parseHello(value: string): Hello | undefined {
  let hello: Hello;
  try {
    hello = JSON.parse(value) as Hello;
  } catch {
    return undefined;
  }
  if (hello === null || typeof hello !== 'object' || typeof hello.s !== 'string' || typeof hello.t !== 'string') return undefined;
  if (typeof hello.e !== 'string' || typeof hello.o !== 'number' || typeof hello.a !== 'number') return undefined;
  return hello;
}

/**
 * FNV-1a (32 bits) of a frame, in base 36: the client sends it for the last
 * message it received, the server compares it with the stored entry at that
 * offset, which catches a store that lost or rewrote history (a Redis
 * failover to a lagging replica) without a per-message cost: it is computed
 * once per resume.
 */
export function frameHash(frame: unknown): string {
  let h = 0x811c9dc5;
  if (typeof frame === 'string') {
    for (let i = 0; i < frame.length; i++) {
      h ^= frame.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  } else {
    const bytes = frame instanceof ArrayBuffer ? new Uint8Array(frame) : ArrayBuffer.isView(frame)
      ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength) : new Uint8Array(0);
    for (let i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193);
    }
  }
  return (h >>> 0).toString(36);
}

/** Size of a frame in bytes (UTF-16 strings counted as their length: a bound, not an invoice). */
export function frameSize(frame: unknown): number {
  if (typeof frame === 'string') return frame.length;
  if (frame instanceof ArrayBuffer) return frame.byteLength;
  return ArrayBuffer.isView(frame) ? frame.byteLength : 0;
}

/** A random id for sessions and tokens (URL-safe, 128 bits). */
export function randomToken(): string {
  const bytes = new Uint8Array(16);
  const crypto = (globalThis as { crypto?: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto;
  if (crypto !== undefined) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += ALPHABET[bytes[i] & 63];
  return out + ALPHABET[(bytes[0] >> 6) | ((bytes[1] >> 6) << 2)];
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
