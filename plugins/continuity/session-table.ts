import type { Session } from './session';

/** Bounds of a {@link SessionTable} (the memory store's limits; the Redis store passes its own). */
export interface SessionTableLimits {
  /** ms a session is kept after its client went away. */
  window: number;
  /** Sessions kept at most; beyond it the longest-away one goes. */
  maxSessions: number;
  /** Bytes of history over all sessions; beyond it the longest-away sessions go first, then the writer's oldest entries. */
  maxTotalBytes: number;
}

/** Why a session left the table early, for the `evict` callback. */
export type EvictReason = 'sessions' | 'bytes';

/**
 * The sessions a store holds in this process, with the bookkeeping both
 * stores share: the window timer of away sessions, and the bounds
 * (`maxSessions`, `maxTotalBytes`), met by letting the longest-away session
 * go first. The memory store holds every session here; the Redis store its
 * copies (the ones whose client is connected here, and for the window the
 * ones whose client left from here), and a copy that goes loses nothing:
 * the session stays in Redis, resumable on any node.
 */
export class SessionTable<S extends Session> {
  /** Bytes of history held over all sessions (the store adds and subtracts what its streams report). */
  bytes = 0;
  readonly #sessions = new Map<string, S>();
  /** Sessions whose client is away, oldest first (Map keeps insertion order). */
  readonly #away = new Map<string, S>();

  constructor(
    readonly limits: SessionTableLimits,
    /** A session went early to make room (after its `close`). */
    readonly onEvict: (session: S, reason: EvictReason) => void = () => undefined,
  ) {}

  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): S | undefined {
    return this.#sessions.get(id);
  }

  add(session: S): S {
    this.#sessions.set(session.id, session);
    return session;
  }

  /** Room for one more session? Makes it by letting the longest-away one go. */
  room(): boolean {
    if (this.#sessions.size < this.limits.maxSessions) return true;
    return this.#evictOldestAway('sessions');
  }

  /** The client went away: the window starts. */
  away(session: S): void {
    this.#away.set(session.id, session);
    clearTimeout(session.expiry);
    session.expiry = setTimeout(this.#expire, this.limits.window, session);
  }

  /** The client is back: the window stops. */
  back(session: S): void {
    this.#away.delete(session.id);
    clearTimeout(session.expiry);
    session.expiry = undefined;
  }

  /** The session goes (removed, expired, evicted): it is over for this store, and says so (`close`). */
  remove(session: S): void {
    if (session.closed || this.#sessions.get(session.id) !== session) return;
    clearTimeout(session.expiry);
    session.expiry = undefined;
    this.#sessions.delete(session.id);
    this.#away.delete(session.id);
    this.bytes -= session.stream.bytes;
    session.closed = true;
    session.emit('close');
  }

  /** Over `maxTotalBytes`: let away sessions go, oldest first, then trim the writer's own oldest entries. */
  shed(writer: S): void {
    while (this.bytes > this.limits.maxTotalBytes && this.#evictOldestAway('bytes'));
    while (this.bytes > this.limits.maxTotalBytes && writer.stream.length > 1) this.bytes -= writer.stream.dropOldest();
  }

  forAttached(fn: (session: S) => void): void {
    for (const session of this.#sessions.values()) if (session.spark !== null) fn(session);
  }

  forAll(fn: (session: S) => void): void {
    for (const session of this.#sessions.values()) fn(session);
  }

  clear(): void {
    for (const session of [...this.#sessions.values()]) this.remove(session);
  }

  #expire = (session: S): void => {
    session.expiry = undefined;
    this.remove(session);
  };

  #evictOldestAway(reason: EvictReason): boolean {
    const oldest = this.#away.values().next();
    if (oldest.done === true) return false;
    this.remove(oldest.value);
    this.onEvict(oldest.value, reason);
    return true;
  }
}
