import type { Frame } from '../../core/types';
import { frameSize } from './protocol';

/**
 * The client's messages to the server that the server has not acknowledged
 * yet, encoded once, numbered by position: the frame at `head` has sequence
 * number `headSeq`. Bounded by count and bytes; a full outbox refuses.
 */
export class Outbox {
  /** Sequence number of the oldest frame kept (the next one when empty). */
  headSeq = 1;
  /** Bytes kept. */
  bytes = 0;
  #frames: Frame[] = [];
  #sizes: number[] = [];
  #head = 0;

  constructor(
    readonly maxCount: number,
    readonly maxBytes: number,
  ) {}

  /** Frames kept. */
  get length(): number {
    return this.#frames.length - this.#head;
  }

  /** Sequence number the next frame pushed gets. */
  get nextSeq(): number {
    return this.headSeq + this.length;
  }

  /** Room for one more? */
  get full(): boolean {
    return this.length >= this.maxCount || this.bytes >= this.maxBytes;
  }

  /** Keep a frame; returns its sequence number. */
  push(frame: Frame): number {
    const size = frameSize(frame);
    this.#frames.push(frame);
    this.#sizes.push(size);
    this.bytes += size;
    return this.headSeq + this.length - 1;
  }

  /** The frame with sequence number `seq`, if kept. */
  at(seq: number): Frame | undefined {
    return seq >= this.headSeq ? this.#frames[this.#head + seq - this.headSeq] : undefined;
  }

  /** The server processed everything up to `seq`: forget it. */
  acknowledge(seq: number): void {
    while (this.headSeq <= seq && this.#head < this.#frames.length) {
      this.bytes -= this.#sizes[this.#head];
      this.#frames[this.#head] = undefined as unknown as Frame;
      this.#head++;
      this.headSeq++;
    }
    if (this.#head === this.#frames.length) this.#reset();
    else if (this.#head > 64 && this.#head * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Take every frame out (the session was lost); numbering continues at the old head. */
  drain(): Frame[] {
    const out = this.#frames.slice(this.#head);
    this.#reset();
    return out;
  }

  #reset(): void {
    this.#frames = [];
    this.#sizes = [];
    this.#head = 0;
    this.bytes = 0;
  }
}
