import type { Frame } from '../../core/types';
import type { GapReason, ResumeRequest } from './protocol';
import type { Session } from './session';

/**
 * What a (re)connecting client gets:
 * - `new`: a fresh session (first connect), nothing to report;
 * - `resumed`: its session, with `replay` = every message it missed;
 * - `gap`: its session, but the missed messages cannot all be replayed
 *   (`reason`), so none are; its messages to the server still continue;
 * - `lost`: a new session, the old one could not be resumed (`reason`);
 * - `refused`: no session at all (`capacity`): the connection runs plain;
 * - `retry`: the store cannot answer now (`unavailable`: Redis unreachable):
 *   the connection is closed with reconnect, so the client keeps everything and tries again.
 */
export type Claim =
  | { outcome: 'new' | 'resumed'; session: Session; replay: readonly Frame[]; offset: number }
  | { outcome: 'gap' | 'lost'; session: Session; reason: GapReason; offset: number }
  | { outcome: 'refused'; reason: 'capacity' }
  | { outcome: 'retry'; reason: 'unavailable' };

/**
 * Where sessions and their streams live. The in-memory store serves one
 * node (or several kernels in one process); a shared store (Redis Streams)
 * implements the same contract so a client resumes on any node.
 *
 * The message path calls only `append` and `acknowledge`, synchronously: a
 * remote store assigns offsets locally (one node owns a session while the
 * client is connected to it) and writes behind. `claim` may be async: it
 * runs once per connect, while the kernel holds the spark's messages.
 */
export interface ContinuityStore {
  /** The epoch of streams this store creates; a store that lost its state has a new one. */
  readonly epoch: string;
  /** Find or create the session for a connecting client (`request` undefined: malformed, start afresh). */
  claim(request: ResumeRequest | undefined, identity: string | undefined, now: number): Claim | Promise<Claim>;
  /** Append a frame sent to the session's client. */
  append(session: Session, frame: Frame, now: number): void;
  /**
   * Optional: the client message `session.processed` was just handed to the
   * application (a shared store records it, so another node drops it if the
   * client sends it again). Runs on the message path: synchronous, cheap.
   */
  received?(session: Session): void;
  /** The client has every message up to `offset`: history before it may go, and its newest token is confirmed. */
  acknowledge(session: Session, offset: number): void;
  /** The client went away: keep the session for the window. */
  detach(session: Session, now: number): void;
  /** The client is back (the store stops the window). */
  attach(session: Session): void;
  /** Drop a session now. */
  forget(session: Session): void;
  /** Drop everything, clear timers. */
  close(): void | Promise<void>;
}
