import type { Frame } from '../../core/types';
import { randomToken, type GapReason, type ResumeRequest } from './protocol';
import { MemoryStream, type StreamLimits } from './stream';
import { Session } from './session';
import type { Claim, ContinuityStore } from './store';

/** Limits of the in-memory store; every one has a default (see docs/continuity.md). */
export interface MemoryStoreLimits extends StreamLimits {
  /** ms a session is kept after its client went away (the resume window). */
  window: number;
  /** Sessions kept at most; beyond it the longest-away one is evicted, and with none away new ones are refused. */
  maxSessions: number;
  /** Bytes of history over all sessions; beyond it the longest-away sessions go first, then the writer's oldest entries. */
  maxTotalBytes: number;
}

export const MEMORY_DEFAULTS: MemoryStoreLimits = {
  window: 120_000,
  maxMessages: 1000,
  maxBytes: 1 << 20,
  maxAge: 120_000,
  maxSessions: 100_000,
  maxTotalBytes: 256 << 20,
};

/** Why a session left the store early, for the `evict` callback. */
export type EvictReason = 'sessions' | 'bytes';

/**
 * Sessions and their streams in this process. Share one instance between
 * kernels (`continuity({ store })`) and a client drained from one resumes on
 * the other. The epoch is new for every instance: after a restart clients
 * learn that history is gone (`epoch`) instead of reading someone else's.
 */
export class MemoryStore implements ContinuityStore {
  readonly epoch = randomToken().slice(0, 8);
  readonly limits: MemoryStoreLimits;
  /** Bytes of history kept over all sessions. */
  bytes = 0;
  readonly #sessions = new Map<string, Session>();
  /** Sessions whose client is away, oldest first (Map keeps insertion order). */
  readonly #away = new Map<string, Session>();

  constructor(
    limits: Partial<MemoryStoreLimits> = {},
    readonly onEvict: (session: Session, reason: EvictReason) => void = () => undefined,
  ) {
    this.limits = { ...MEMORY_DEFAULTS, ...limits };
  }

  /** Number of sessions kept. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The session with this id, if kept. */
  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  claim(request: ResumeRequest | undefined, identity: string | undefined, now: number): Claim {
    if (request === undefined) return this.#fresh(randomToken(), identity, null, 'invalid');
    const found = this.#sessions.get(request.session);
    if (found === undefined) {
      // Nothing read yet and never confirmed: the client's first connect (or a retry of it).
      if (request.epoch === '') return this.#fresh(request.session, identity, request.token);
      return this.#fresh(randomToken(), identity, null, request.epoch !== this.epoch ? 'epoch' : 'expired');
    }
    // Someone else's session, or a token already used: never touch it, start afresh.
    if (found.identity !== identity) return this.#fresh(randomToken(), identity, null, 'identity');
    if (request.token !== found.token && request.token !== found.previous) {
      return this.#fresh(randomToken(), identity, null, 'token');
    }
    found.previous = request.token;
    found.token = randomToken();
    // A client that never got a hello has read nothing: any epoch is its epoch.
    const position = request.epoch === '' ? { epoch: found.stream.epoch, offset: 0, hash: '' } : request;
    const replay = found.stream.since(position, now);
    if (typeof replay === 'string') return { outcome: 'gap', session: found, reason: replay, offset: found.stream.top };
    return { outcome: 'resumed', session: found, replay, offset: request.offset };
  }

  append(session: Session, frame: Frame, now: number): void {
    if (session.closed) return;
    this.bytes += session.stream.append(frame, now);
    if (this.bytes > this.limits.maxTotalBytes) this.#shed(session);
  }

  acknowledge(session: Session, offset: number): void {
    session.previous = null;
    this.bytes -= session.stream.trimBefore(offset);
  }

  /** `now` is unused here: the window runs on a timer. */
  detach(session: Session, _now?: number): void {
    if (session.closed) return;
    this.#away.set(session.id, session);
    clearTimeout(session.expiry);
    session.expiry = setTimeout(this.#expire, this.limits.window, session);
  }

  attach(session: Session): void {
    this.#away.delete(session.id);
    clearTimeout(session.expiry);
    session.expiry = undefined;
  }

  forget(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    clearTimeout(session.expiry);
    session.expiry = undefined;
    this.#sessions.delete(session.id);
    this.#away.delete(session.id);
    this.bytes -= session.stream.bytes;
    session.emit('close');
  }

  close(): void {
    for (const session of [...this.#sessions.values()]) this.forget(session);
  }

  #expire = (session: Session): void => {
    session.expiry = undefined;
    this.forget(session);
  };

  #fresh(id: string, identity: string | undefined, previous: string | null, reason?: GapReason): Claim {
    if (this.#sessions.size >= this.limits.maxSessions && !this.#evictOldestAway('sessions')) {
      return { outcome: 'refused', reason: 'capacity' };
    }
    const stream = new MemoryStream(id, this.epoch, this.limits);
    const session = new Session(id, identity, randomToken(), previous, stream, this);
    this.#sessions.set(id, session);
    if (reason === undefined) return { outcome: 'new', session, replay: [], offset: 0 };
    return { outcome: 'lost', session, reason, offset: 0 };
  }

  /** Over the total budget: evict sessions that are away, oldest first, then trim the writer's own history. */
  #shed(writer: Session): void {
    while (this.bytes > this.limits.maxTotalBytes && this.#evictOldestAway('bytes'));
    while (this.bytes > this.limits.maxTotalBytes && writer.stream.length > 1) this.bytes -= writer.stream.dropOldest();
  }

  #evictOldestAway(reason: EvictReason): boolean {
    const oldest = this.#away.values().next();
    if (oldest.done === true) return false;
    this.forget(oldest.value);
    this.onEvict(oldest.value, reason);
    return true;
  }
}
