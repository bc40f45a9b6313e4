import type { Frame } from '../../core/types';
import { randomToken, type GapReason, type ResumeRequest } from './protocol';
import { MemoryStream, type StreamLimits } from './stream';
import { Session } from './session';
import { SessionTable, type EvictReason } from './session-table';
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

export type { EvictReason } from './session-table';

/**
 * Sessions and their streams in this process. Share one instance between
 * kernels (`continuity({ store })`) and a client drained from one resumes on
 * the other. The epoch is new for every instance: after a restart clients
 * learn that history is gone (`epoch`) instead of reading someone else's.
 */
export class MemoryStore implements ContinuityStore {
  readonly epoch = randomToken().slice(0, 8);
  readonly limits: MemoryStoreLimits;
  /** Every session, its window timer and the store-wide bounds. */
  readonly #sessions: SessionTable<Session>;

  constructor(
    limits: Partial<MemoryStoreLimits> = {},
    readonly onEvict: (session: Session, reason: EvictReason) => void = () => undefined,
  ) {
    this.limits = { ...MEMORY_DEFAULTS, ...limits };
    this.#sessions = new SessionTable(this.limits, onEvict);
  }

  /** Bytes of history kept over all sessions. */
  get bytes(): number {
    return this.#sessions.bytes;
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
    this.#sessions.bytes += session.stream.append(frame, now);
    if (this.#sessions.bytes > this.limits.maxTotalBytes) this.#sessions.shed(session);
  }

  acknowledge(session: Session, offset: number): void {
    session.previous = null;
    this.#sessions.bytes -= session.stream.trimBefore(offset);
  }

  /** `now` is unused here: the window runs on a timer. */
  detach(session: Session, _now?: number): void {
    if (session.closed) return;
    this.#sessions.away(session);
  }

  attach(session: Session): void {
    this.#sessions.back(session);
  }

  forget(session: Session): void {
    this.#sessions.remove(session);
  }

  close(): void {
    this.#sessions.clear();
  }

  #fresh(id: string, identity: string | undefined, previous: string | null, reason?: GapReason): Claim {
    if (!this.#sessions.room()) return { outcome: 'refused', reason: 'capacity' };
    const stream = new MemoryStream(id, this.epoch, this.limits);
    const session = this.#sessions.add(new Session(id, identity, randomToken(), previous, stream, this));
    if (reason === undefined) return { outcome: 'new', session, replay: [], offset: 0 };
    return { outcome: 'lost', session, reason, offset: 0 };
  }
}
