import type { MemoryStoreLimits } from './memory-store';
import type { RedisSession } from './redis-session';

/**
 * The sessions a node of the Redis store holds copies of: the ones whose
 * client is connected here, and for the window the ones whose client left
 * from here (the application may still write to them). Bounded like the
 * memory store (`maxSessions`, `maxTotalBytes`), but a copy that goes loses
 * nothing: the session stays in Redis, resumable on any node.
 */
export class LocalSessions {
  /** Bytes of history held over all copies. */
  bytes = 0;
  readonly #sessions = new Map<string, RedisSession>();
  /** Copies whose client is away, oldest first. */
  readonly #away = new Map<string, RedisSession>();

  constructor(
    readonly limits: MemoryStoreLimits,
    /** A copy went: the session is over for this node. */
    readonly onRelease: (session: RedisSession) => void,
  ) {}

  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): RedisSession | undefined {
    return this.#sessions.get(id);
  }

  add(session: RedisSession): RedisSession {
    this.#sessions.set(session.id, session);
    return session;
  }

  /** Room for one more copy? Makes it by letting the longest-away copy go. */
  room(): boolean {
    if (this.#sessions.size < this.limits.maxSessions) return true;
    return this.#evictOldestAway();
  }

  away(session: RedisSession): void {
    this.#away.set(session.id, session);
    clearTimeout(session.expiry);
    session.expiry = setTimeout(this.#expire, this.limits.window, session);
  }

  back(session: RedisSession): void {
    this.#away.delete(session.id);
    clearTimeout(session.expiry);
    session.expiry = undefined;
  }

  remove(session: RedisSession): void {
    if (session.closed || this.#sessions.get(session.id) !== session) return;
    clearTimeout(session.expiry);
    session.expiry = undefined;
    this.#sessions.delete(session.id);
    this.#away.delete(session.id);
    this.bytes -= session.stream.bytes;
    this.onRelease(session);
  }

  /** Over `maxTotalBytes`: let away copies go, oldest first, then trim the writer's own oldest entries (Redis trims them too). */
  shed(writer: RedisSession): void {
    while (this.bytes > this.limits.maxTotalBytes && this.#evictOldestAway());
    while (this.bytes > this.limits.maxTotalBytes && writer.stream.length > 1) this.bytes -= writer.stream.dropOldest();
  }

  forAttached(fn: (session: RedisSession) => void): void {
    for (const session of this.#sessions.values()) if (session.spark !== null) fn(session);
  }

  forAll(fn: (session: RedisSession) => void): void {
    for (const session of this.#sessions.values()) fn(session);
  }

  clear(): void {
    for (const session of [...this.#sessions.values()]) this.remove(session);
  }

  #expire = (session: RedisSession): void => {
    session.expiry = undefined;
    this.remove(session);
  };

  #evictOldestAway(): boolean {
    const oldest = this.#away.values().next();
    if (oldest.done === true) return false;
    this.remove(oldest.value);
    return true;
  }
}
