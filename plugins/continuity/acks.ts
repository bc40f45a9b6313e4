import type { Session } from './session';

/**
 * Acknowledgements of client messages, batched: after `every` messages at
 * once, otherwise on the next tick of one timer shared by every session
 * (a timer per session cost more than the rest of the message path).
 */
export class AckBatcher {
  readonly #due = new Set<Session>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly every: number,
    readonly delay: number,
  ) {}

  /** The session processed client message `seq`. */
  processed(session: Session, seq: number): void {
    if (seq - session.acked >= this.every) {
      session.flushAck();
      return;
    }
    // The first unacknowledged message since the last acknowledgement: wait for the tick.
    if (seq !== session.acked + 1) return;
    this.#due.add(session);
    if (this.#timer === undefined) this.#timer = setTimeout(this.#tick, this.delay);
  }

  /** The session's client went away: nothing to acknowledge until it is back (its hello says). */
  forget(session: Session): void {
    this.#due.delete(session);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due.clear();
  }

  #tick = (): void => {
    this.#timer = undefined;
    for (const session of this.#due) session.flushAck();
    this.#due.clear();
  };
}
