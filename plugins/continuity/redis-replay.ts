import type { Frame } from '../../core/types';
import { frameHash, type GapReason } from './protocol';
import type { StreamPosition } from './stream';

/** A stream entry as the claim script returns it (with Buffer replies): id, then field/value pairs. */
export type RawEntry = [Buffer, Buffer[]];

/** Entries read back from Redis: offsets, frames and times, in order. */
export interface ReadEntries {
  offsets: number[];
  frames: Frame[];
  times: number[];
  /** The hash kept instead of a frame (a client's own entry that Redis never got), by index. */
  hashes: Array<string | undefined>;
}

/** {@link replayStart}: the client is ahead of Redis, which is known to have lost nothing (see the store). */
export const AHEAD = -1;

/** Offsets, frames (text back to strings) and times of raw entries. */
export function decodeEntries(raw: readonly RawEntry[]): ReadEntries {
  const out: ReadEntries = { offsets: [], frames: [], times: [], hashes: [] };
  for (const [id, fields] of raw) {
    const text = id.toString('latin1');
    out.offsets.push(Number(text.slice(0, text.indexOf('-'))));
    let frame: Frame = '';
    let time = 0;
    let hash: string | undefined;
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i].toString('latin1');
      if (name === 's') frame = fields[i + 1].toString('utf8');
      else if (name === 'b') frame = new Uint8Array(fields[i + 1]);
      else if (name === 'h') hash = fields[i + 1].toString('latin1');
      else if (name === 't') time = Number(fields[i + 1].toString('latin1'));
    }
    out.frames.push(frame);
    out.times.push(time);
    out.hashes.push(hash);
  }
  return out;
}

/**
 * Which of `read` (the entries from the client's offset on) the client
 * misses, or why they cannot all be replayed: the same rules as
 * `MemoryStream.since`, plus a hole check, since a Redis stream can lose
 * writes (dropped while Redis was down, or a failover to a replica that
 * lagged). Returns the index in `read` of the first entry to replay, or
 * {@link AHEAD} when the client has more than Redis and `ahead` says that
 * is fine (its node died before Redis read its last writes: nothing after
 * them exists).
 */
export function replayStart(read: ReadEntries, position: StreamPosition, epoch: string, top: number, now: number, maxAge: number, ahead: boolean): number | GapReason {
  if (position.epoch !== epoch) return 'epoch';
  const { offset } = position;
  if (offset > top) return ahead ? AHEAD : 'mismatch';
  const { offsets } = read;
  let start = 0;
  if (offset > 0) {
    if (offsets.length === 0 || offsets[0] !== offset) return 'trimmed';
    if ((read.hashes[0] ?? frameHash(read.frames[0])) !== position.hash) return 'mismatch';
    start = 1;
  } else if (offsets.length > 0 && offsets[0] !== 1) {
    return 'trimmed';
  }
  // What follows must be every offset up to the top, with no hole.
  let expected = offset + 1;
  for (let i = start; i < offsets.length; i++) if (offsets[i] !== expected++) return 'mismatch';
  if (expected - 1 !== top) return 'mismatch';
  if (start < offsets.length && read.times[start] < now - maxAge) return 'trimmed';
  return start;
}
