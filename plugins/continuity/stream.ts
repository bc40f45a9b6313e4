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
 * position. Entries are kept in parallel arrays from `#head` on (no object
 * per entry); the arrays are compacted once the dead prefix is large.
 */
export class MemoryStream {
  /** Offset of the last entry appended (0: none yet). */
  top = 0;
  /** Bytes of the entries kept. */
  bytes = 0;
  readonly #frames: Frame[] = [];
  readonly #sizes: number[] = [];
  readonly #times: number[] = [];
  #head = 0;

  constructor(
    readonly key: string,
    readonly epoch: string,
    readonly limits: StreamLimits,
  ) {}

  /** Offset of the oldest entry kept (`top + 1` when none is). */
  get first(): number {
    return this.top - (this.#frames.length - this.#head) + 1;
  }

  /** Number of entries kept. */
  get length(): number {
    return this.#frames.length - this.#head;
  }

  /** Append a frame; returns the bytes freed by trimming to the limits (may be negative net growth). */
  append(frame: Frame, now: number): number {
    const size = frameSize(frame);
    this.#frames.push(frame);
    this.#sizes.push(size);
    this.#times.push(now);
    this.top++;
    this.bytes += size;
    const limits = this.limits;
    let freed = 0;
    while (
      this.#head < this.#frames.length &&
      (this.length > limits.maxMessages || this.bytes > limits.maxBytes || this.#times[this.#head] < now - limits.maxAge)
    ) {
      freed += this.#dropOldest();
    }
    return freed - size;
  }

  /** Drop entries before `offset` (the reader has them); keeps the one at `offset` for its hash. Returns bytes freed. */
  trimBefore(offset: number): number {
    let freed = 0;
    const stop = Math.min(offset, this.top + 1);
    while (this.#head < this.#frames.length && this.first < stop) freed += this.#dropOldest();
    return freed;
  }

  /** Drop the oldest entry; returns its size (0 when empty). */
  dropOldest(): number {
    return this.#head < this.#frames.length ? this.#dropOldest() : 0;
  }

  /**
   * Every entry after `position`, or why not: all or nothing, never part of
   * a gap. The reader's own entry must still be here for its hash check,
   * unless it has read nothing (offset 0) or exactly everything trimmed.
   */
  since(position: StreamPosition, now: number): Frame[] | GapReason {
    if (position.epoch !== this.epoch) return 'epoch';
    const { offset } = position;
    if (offset > this.top) return 'mismatch';
    const first = this.first;
    if (offset < first - 1) return 'trimmed';
    if (offset >= first) {
      if (frameHash(this.#frames[this.#head + offset - first]) !== position.hash) return 'mismatch';
    } else if (offset > 0 && frameHash(this.#lastDropped) !== position.hash) {
      // The reader's own entry was the last one trimmed (acknowledged): it was kept for this check.
      return 'mismatch';
    }
    const start = this.#head + offset - first + 1;
    if (start < this.#frames.length && this.#times[start] < now - this.limits.maxAge) return 'trimmed';
    return this.#frames.slice(start);
  }

  /** The entry at `first - 1`, so a reader positioned exactly there can still be checked. */
  #lastDropped: Frame | undefined;

  #dropOldest(): number {
    const i = this.#head;
    const size = this.#sizes[i];
    this.#lastDropped = this.#frames[i];
    this.#frames[i] = undefined as unknown as Frame;
    this.#head++;
    this.bytes -= size;
    if (this.#head > 64 && this.#head * 2 > this.#frames.length) this.#compact();
    return size;
  }

  #compact(): void {
    const h = this.#head;
    this.#frames.splice(0, h);
    this.#sizes.splice(0, h);
    this.#times.splice(0, h);
    this.#head = 0;
  }
}
