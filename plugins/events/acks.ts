import { AllsparkError, type ErrorCode } from '../../core/errors';
import type { WireError } from './wire';

/** Called with the reply to an acknowledged emit: `(null, reply)` or `(err)`. */
export type AckCallback = (err: AllsparkError | null, reply?: unknown) => void;

/** What a reply is checked with before it reaches its callback (the server's reply schemas); may throw an AllsparkError. */
export type ReplyCheck = (event: string, reply: unknown) => unknown;

interface Pending {
  fn: AckCallback;
  event: string;
  timer: ReturnType<typeof setTimeout>;
}

/** Build an AllsparkError with the extra fields errors carry here (event, path, issues). */
export function ackError(code: string, message: string, extra?: Partial<WireError>): AllsparkError {
  const err = new AllsparkError(code as ErrorCode, message);
  if (extra) for (const key of ['event', 'path', 'issues'] as const) if (extra[key] !== undefined) (err as any)[key] = extra[key];
  return err;
}

/**
 * The requests one connection waits on: bounded (`limit`), each with its
 * own timeout, all rejected when the connection closes. A reply that comes
 * after its timeout finds nothing and is dropped.
 */
export class AckTable {
  readonly #pending = new Map<number, Pending>();
  #next = 1;

  constructor(
    readonly limit: number,
    readonly timeout: number,
  ) {}

  /** Waiting requests. */
  get size(): number {
    return this.#pending.size;
  }

  /** Register `fn` for a reply to `event`; returns the packet id, or the refusal when `limit` are waiting. */
  add(event: string, fn: AckCallback, timeout = this.timeout): number | AllsparkError {
    if (this.#pending.size >= this.limit) {
      return ackError('ALLSPARK_ACK_LIMIT', `${this.limit} requests are already waiting for replies (maxPendingAcks); "${event}" was not sent`, { event });
    }
    const id = this.#next++;
    // Timer arguments instead of a closure: the expiry function is shared.
    this.#pending.set(id, { fn, event, timer: setTimeout(expire, timeout, this, id, timeout) });
    return id;
  }

  /** A reply arrived: settle its request. False when none waits (late or unknown id). */
  settle(id: unknown, error: unknown, reply: unknown, check?: ReplyCheck): boolean {
    const pending = typeof id === 'number' ? this.#pending.get(id) : undefined;
    if (pending === undefined) return false;
    this.#pending.delete(id as number);
    clearTimeout(pending.timer);
    if (error !== null && error !== undefined) return void pending.fn(fromWire(error, pending.event)), true;
    let value = reply;
    try {
      if (check) value = check(pending.event, reply);
    } catch (err) {
      pending.fn(err as AllsparkError);
      return true;
    }
    pending.fn(null, value);
    return true;
  }

  /** Forget a request without settling it (it could not be sent). */
  cancel(id: number): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
  }

  /** Reject every waiting request (the connection closed). */
  rejectAll(why: string): void {
    if (this.#pending.size === 0) return;
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of all) {
      clearTimeout(pending.timer);
      pending.fn(ackError('ALLSPARK_ACK_CLOSED', `${why} before "${pending.event}" was answered`, { event: pending.event }));
    }
  }

  /** @internal The timer of request `id` fired. */
  static expire(table: AckTable, id: number, timeout: number): void {
    const pending = table.#pending.get(id);
    if (pending === undefined) return;
    table.#pending.delete(id);
    pending.fn(ackError('ALLSPARK_ACK_TIMEOUT', `No reply to "${pending.event}" within ${timeout} ms`, { event: pending.event }));
  }
}

const expire = AckTable.expire;

/** An error received on the wire, as an AllsparkError with its code and details. */
function fromWire(error: unknown, event: string): AllsparkError {
  const e = (typeof error === 'object' ? error : { message: String(error) }) as Partial<WireError>;
  const code = typeof e.code === 'string' ? e.code : 'ALLSPARK_EVENT_HANDLER';
  const message = typeof e.message === 'string' ? e.message : `The request "${event}" failed`;
  return ackError(code, message, { event: e.event ?? event, path: e.path, issues: e.issues });
}

/**
 * An error as it travels back to the requester. Errors that carry a string
 * `code` were raised on purpose and keep their message; anything else is
 * reported as ALLSPARK_EVENT_HANDLER without its text, which could leak
 * internals (the sender logs the original).
 */
export function toWire(err: unknown, event: string): WireError {
  const e = err as Partial<WireError> | null;
  if (e !== null && typeof e === 'object' && typeof e.code === 'string') {
    const out: WireError = { code: e.code, message: typeof e.message === 'string' ? e.message : e.code };
    if (e.event !== undefined) out.event = e.event;
    if (e.path !== undefined) out.path = e.path;
    if (e.issues !== undefined) out.issues = e.issues;
    return out;
  }
  return { code: 'ALLSPARK_EVENT_HANDLER', message: `The handler of "${event}" failed`, event };
}
