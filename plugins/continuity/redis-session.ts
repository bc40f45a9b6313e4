import type { Frame } from '../../core/types';
import { Session } from './session';

/**
 * A session of the Redis store, as this node holds it: the {@link Session}
 * the server works with, plus what is still to be written to Redis. The
 * node that owns it (its `lease` is the one in Redis) assigns offsets
 * locally and writes behind; its stream is a local copy bounded like the
 * memory store's, which tells which offsets Redis may trim.
 */
export class RedisSession extends Session {
  /** Proof of ownership: set in Redis by the claim; writes with another lease are refused there. */
  lease = '';
  /** Entries not written yet, flat: offset, field (`s` text, `b` binary), frame, time. */
  pending: Array<number | string | Frame> = [];
  /** Client sequence number last written as processed. */
  writtenProcessed = 0;
  /** Offset below which Redis's stream was last trimmed (MINID). */
  writtenMinid = 0;
  /** The client confirmed the newest token: the previous one dies in Redis too. */
  clearPrevious = false;
  /** The key lifetime the next write sets, in ms (longer while the client is connected here); the store sets it before any write. */
  ttl = 0;
  /** While the client is away: when its keys must expire (ms, this node's clock; writes while away do not extend it). */
  expireAt = 0;
  /** Delete the session in Redis with the next write. */
  drop = false;
  /** Waiting in the store's set of sessions to write. */
  dirty = false;
}

/** How an identity is kept in Redis: `-` for none, so no identity and the empty string differ. */
export function encodeIdentity(identity: string | undefined): string {
  return identity === undefined ? '-' : `=${identity}`;
}
