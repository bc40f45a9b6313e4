import type { Frame } from '../../core/types';
import type { RedisDriver } from '../cluster/driver';
import { frameSize } from './protocol';
import type { RedisSession } from './redis-session';
import { FLUSH_SCRIPT, type ContinuityKeys } from './redis-scripts';

/** Bounds of the writes waiting for Redis. */
export interface WriteLimits {
  /** Entries (messages) waiting for Redis at most, in flight and to retry; beyond, the oldest batches are dropped. */
  maxPendingWrites: number;
  /** Bytes of such entries at most. */
  maxPendingBytes: number;
}

/** One script call: what it carries, so it can be sent again after a failure. */
interface Batch {
  keys: string[];
  /** Run id, the number of distinct frames, the frames, then the sessions as one JSON array (see FLUSH in redis-scripts.ts). */
  args: Array<string | number | Buffer>;
  sessions: RedisSession[];
  /** Each session's lease when the batch was made (a refusal under an older lease is stale news). */
  leases: string[];
  entries: number;
  bytes: number;
}

/** ms before writes that wait while Redis is up are sent again. */
const RETRY_AFTER = 1000;

/** Sessions per script call at most: keeps one call (and Redis's time in it) small. */
const SESSIONS_PER_CALL = 256;

/**
 * The Redis store's write-behind. The message path only marks a session
 * dirty (a Set add, no allocation once it is there); one microtask later,
 * every dirty session's entries, processed count, trims and expiry go to
 * Redis in one script call (per 256 sessions). Batches that fail (Redis
 * down, a timeout) wait and are sent again in order once the driver is
 * ready; the script skips what it already has. Pending writes are bounded
 * ({@link WriteLimits}): past the bound the oldest batches are dropped and
 * reported, which leaves a hole that a resume detects (`mismatch`).
 */
export class WriteBehind {
  /** Entries dropped since start (Redis unreachable too long). */
  dropped = 0;
  readonly #dirty = new Set<RedisSession>();
  #scheduled = false;
  /** Batches that failed, oldest first, to be sent again. */
  #retry: Batch[] = [];
  #pendingEntries = 0;
  #pendingBytes = 0;
  #closed = false;
  /** Sends what waits again when it waits while Redis is up (a failed call, or the bound reached). */
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Calls in flight, for `settle()`. */
  #inFlight = 0;
  #idle: Array<() => void> = [];

  constructor(
    readonly driver: RedisDriver,
    readonly keys: ContinuityKeys,
    readonly limits: WriteLimits,
    /** A session's write was refused: another node owns it now, or Redis lost it. */
    readonly onRefused: (session: RedisSession) => void,
    /** Writes were dropped (bound reached) or failed; for the log. */
    readonly onTrouble: (what: 'dropped' | 'failed', count: number, err?: Error) => void,
    /** The run id of the Redis the driver is connected to, once read since the last reconnect ('' until then). */
    readonly runId: () => string,
  ) {}

  /** Entries waiting (in flight or to retry). */
  get pending(): number {
    return this.#pendingEntries;
  }

  /** The session has something to write. */
  mark(session: RedisSession): void {
    if (session.dirty) return;
    session.dirty = true;
    this.#dirty.add(session);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.flush);
  }

  /** Write every dirty session now. */
  flush = (): void => {
    this.#scheduled = false;
    if (this.#dirty.size === 0) return;
    const sessions = [...this.#dirty];
    this.#dirty.clear();
    for (let i = 0; i < sessions.length; i += SESSIONS_PER_CALL) this.#send(this.#batch(sessions.slice(i, i + SESSIONS_PER_CALL)));
  };

  /** Redis is back: send what waits, in order. */
  resume(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const retry = this.#retry;
    this.#retry = [];
    for (const batch of retry) this.#send(batch, true);
  }

  /** Resolves once nothing is in flight (or after `ms`): for a clean close. */
  async settle(ms: number): Promise<void> {
    this.flush();
    if (this.#inFlight === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.#idle.push(resolve);
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#dirty.clear();
    this.#retry = [];
  }

  #batch(sessions: RedisSession[]): Batch {
    const batch: Batch = { keys: [], args: [this.runId(), 0], sessions, leases: [], entries: 0, bytes: 0 };
    const frames = new Map<Frame, number>();
    const meta: Array<string | number> = [];
    for (const session of sessions) {
      session.dirty = false;
      batch.keys.push(this.keys.hash(session.id), this.keys.stream(session.id));
      batch.leases.push(session.lease);
      const processed = session.processed > session.writtenProcessed ? session.processed : -1;
      session.writtenProcessed = Math.max(session.writtenProcessed, session.processed);
      // Redis keeps one entry before the first one kept here: a client positioned exactly there can still be checked.
      const floor = session.stream.first - 1;
      const minid = floor > session.writtenMinid ? floor : -1;
      if (minid >= 0) session.writtenMinid = floor;
      const pending = session.pending;
      const count = pending.length / 4;
      const ttl = session.expireAt > 0 ? Math.max(1, session.expireAt - Date.now()) : session.ttl;
      meta.push(session.lease, processed, minid, session.clearPrevious ? 1 : 0, ttl, session.drop ? 1 : 0, session.stream.top, count);
      session.clearPrevious = false;
      for (let i = 0; i < pending.length; i += 4) {
        const frame = pending[i + 2] as Frame;
        let index = frames.get(frame);
        if (index === undefined) {
          index = frames.size + 1;
          frames.set(frame, index);
          batch.args.push(asArg(frame));
          batch.bytes += frameSize(frame);
        }
        meta.push(pending[i] as number, pending[i + 1] as string, index, pending[i + 3] as number);
      }
      batch.entries += count;
      if (count > 0) session.pending = [];
    }
    batch.args[1] = frames.size;
    batch.args.push(JSON.stringify(meta));
    this.#pendingEntries += batch.entries;
    this.#pendingBytes += batch.bytes;
    return batch;
  }

  #send(batch: Batch, waited = false): void {
    if (this.#closed) return;
    // Down (a call would be refused at once), older batches waiting (offsets must reach Redis in order),
    // or too much in flight: keep it, within the bounds.
    const over = this.#pendingEntries > this.limits.maxPendingWrites || this.#pendingBytes > this.limits.maxPendingBytes;
    if (this.driver.state !== 'ready' || (!waited && (this.#retry.length > 0 || over))) return this.#keep(batch);
    this.#inFlight++;
    this.driver.script(FLUSH_SCRIPT, batch.keys, batch.args).then(
      (statuses) => this.#done(batch, statuses as number[]),
      (err: Error) => this.#failed(batch, err),
    );
  }

  #done(batch: Batch, statuses: number[]): void {
    this.#release(batch);
    if (this.#retry.length > 0 && this.driver.state === 'ready') this.resume();
    for (let i = 0; i < batch.sessions.length; i++) {
      const session = batch.sessions[i];
      if (statuses[i] === 0 && session.lease === batch.leases[i] && !session.closed) this.onRefused(session);
    }
    this.#settled();
  }

  #failed(batch: Batch, err: Error): void {
    this.onTrouble('failed', batch.entries, err);
    this.#keep(batch);
    this.#settled();
  }

  /** Keep a batch (still counted as pending) for a retry, within the bounds: the oldest go first. */
  #keep(batch: Batch): void {
    if (this.#closed) return this.#release(batch);
    this.#retry.push(batch);
    let dropped = 0;
    while (this.#retry.length > 0 && (this.#pendingEntries > this.limits.maxPendingWrites || this.#pendingBytes > this.limits.maxPendingBytes)) {
      const oldest = this.#retry.shift()!;
      this.#release(oldest);
      dropped += oldest.entries;
    }
    if (dropped > 0) {
      this.dropped += dropped;
      this.onTrouble('dropped', dropped);
    }
    // Redis is up but this call failed or too much is in flight: try again soon (a reconnect also resumes).
    if (this.#retry.length > 0 && this.driver.state === 'ready' && this.#retryTimer === undefined) {
      this.#retryTimer = setTimeout(() => this.resume(), RETRY_AFTER);
      this.#retryTimer.unref();
    }
  }

  #release(batch: Batch): void {
    this.#pendingEntries -= batch.entries;
    this.#pendingBytes -= batch.bytes;
  }

  #settled(): void {
    if (--this.#inFlight > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}

/** A frame as a script argument: text as is, bytes as a Buffer over the same memory (no copy). */
function asArg(frame: Frame): string | Buffer {
  if (typeof frame === 'string') return frame;
  if (frame instanceof ArrayBuffer) return Buffer.from(frame);
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
}
