import type { Frame } from '../../core/types';
import { frameHash, frameSize, type GapReason } from './protocol';

/** Bounds of one stream's history; see {@link ContinuityLimits}. */
export interface StreamLimits {
  /** Entries kept at most. */
  maxMessages: number;
  /** Bytes of entries kept at most. */
  maxBytes: number;
  /** ms an entry is kept at most. */
  maxAge: number;
}

/** Where a reader is in a stream: what it saw last. */
export interface StreamPosition {
  epoch: string;
  offset: number;
  /** {@link frameHash} of the entry at `offset`; `''` when `offset` is 0. */
  hash: string;
}

/**
 * One bounded, append-only stream of encoded frames with offsets and an
 * epoch (Centrifugo's model). A spark's session has one; a room can have one
 * too: nothing here knows who reads it. Offsets start at 1; offset 0 means
 * "nothing read yet", so a reader that received nothing still has a
 * position. Entries live in a ring (frames and their times in two arrays,
 * no object per entry) that starts small and doubles up to what the limits
 * need, so an idle session costs little and appending never copies.
 */
export class MemoryStream {
  /** Offset of the last entry appended (0: none yet). */
  top = 0;
  /** Bytes of the entries kept. */
  bytes = 0;
  #frames: Frame[] = new Array(4);
  #times: number[] = new Array(4).fill(0);
  /** Ring index of the oldest entry, and how many are kept. */
  #start = 0;
  #count = 0;
  /** The entry at `first - 1`, so a reader positioned exactly there can still be checked. */
  #lastDropped: Frame | undefined;

  constructor(
    readonly key: string,
    readonly epoch: string,
    readonly limits: StreamLimits,
  ) {}

  /** Offset of the oldest entry kept (`top + 1` when none is). */
  get first(): number {
    return this.top - this.#count + 1;
  }

  /** Number of entries kept. */
  get length(): number {
    return this.#count;
  }

  /** Append a frame; returns the change in bytes kept (its size less what trimming to the limits freed). */
  append(frame: Frame, now: number): number {
    if (this.#count === this.#frames.length) this.#grow();
    const at = (this.#start + this.#count) & (this.#frames.length - 1);
    this.#frames[at] = frame;
    this.#times[at] = now;
    this.#count++;
    this.top++;
    const size = frameSize(frame);
    this.bytes += size;
    const { maxMessages, maxBytes, maxAge } = this.limits;
    let freed = 0;
    while (this.#count > 0 && (this.#count > maxMessages || this.bytes > maxBytes || this.#times[this.#start] < now - maxAge)) {
      freed += this.#dropOldest();
    }
    return size - freed;
  }

  /** Drop entries before `offset` (the reader has them); keeps the one at `offset` for its hash. Returns bytes freed. */
  trimBefore(offset: number): number {
    let freed = 0;
    let drop = Math.min(offset, this.top + 1) - this.first;
    while (drop-- > 0 && this.#count > 0) freed += this.#dropOldest();
    return freed;
  }

  /** Forget every entry and continue after `top` (a store rebuilding its copy of a stream kept elsewhere). Returns bytes freed. */
  reset(top: number): number {
    const freed = this.bytes;
    while (this.#count > 0) this.#dropOldest();
    this.#lastDropped = undefined;
    this.top = top;
    return freed;
  }

  /** Drop the oldest entry; returns its size (0 when empty). */
  dropOldest(): number {
    return this.#count > 0 ? this.#dropOldest() : 0;
  }

  /**
   * Every entry after `position`, or why not: all or nothing, never part of
   * a gap. The reader's own entry must still be here for its hash check,
   * unless it has read nothing (offset 0) or it is the last one trimmed.
   */
  since(position: StreamPosition, now: number): Frame[] | GapReason {
    if (position.epoch !== this.epoch) return 'epoch';
    const { offset } = position;
    if (offset > this.top) return 'mismatch';
    const first = this.first;
    if (offset < first - 1) return 'trimmed';
    const own = offset >= first ? this.#at(offset - first) : this.#lastDropped;
    if (offset > 0 && frameHash(own) !== position.hash) return 'mismatch';
    const skip = offset - first + 1;
    if (skip < this.#count && this.#times[this.#index(skip)] < now - this.limits.maxAge) return 'trimmed';
    const out: Frame[] = [];
    for (let i = skip; i < this.#count; i++) out.push(this.#at(i));
    return out;
  }

  /** The i-th entry kept (0: the oldest). */
  #at(i: number): Frame {
    return this.#frames[this.#index(i)];
  }

  #index(i: number): number {
    return (this.#start + i) & (this.#frames.length - 1);
  }

  #dropOldest(): number {
    const i = this.#start;
    const frame = this.#frames[i];
    this.#lastDropped = frame;
    this.#frames[i] = undefined as unknown as Frame;
    this.#start = (i + 1) & (this.#frames.length - 1);
    this.#count--;
    const size = frameSize(frame);
    this.bytes -= size;
    return size;
  }

  /** Double the ring, oldest entry first. */
  #grow(): void {
    const frames: Frame[] = new Array(this.#frames.length * 2);
    const times: number[] = new Array(this.#frames.length * 2).fill(0);
    for (let i = 0; i < this.#count; i++) {
      frames[i] = this.#at(i);
      times[i] = this.#times[this.#index(i)];
    }
    this.#frames = frames;
    this.#times = times;
    this.#start = 0;
  }
}
