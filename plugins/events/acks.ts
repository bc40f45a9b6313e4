import type { WireError } from './wire';

/** Called with the reply to an acknowledged emit: `(null, reply)` or `(err)`. */
export type AckCallback = (err: Error | null, reply?: unknown) => void;

/** What a reply is checked with before it reaches its callback (the server's reply schemas); may throw. */
export type ReplyCheck = (event: string, reply: unknown) => unknown;

/** An error with a code and the details errors carry here. */
export type CodedError = Error & { code: string; event?: string; path?: string; issues?: WireError['issues'] };

/**
 * How errors are made. A plain `Error` named AllsparkError, with a code, in
 * the browser chunk, where the class would cost bytes for nothing; the
 * plugin's Node entry makes real `AllsparkError`s, so Node code can test
 * `instanceof`.
 */
let makeError = (code: string, message: string): Error => Object.assign(new Error(message), { name: 'AllsparkError', code });

/** @internal Used by the plugin's Node entry. */
export function useErrorFactory(factory: typeof makeError): void {
  makeError = factory;
}

/** Copy the details an error carries (event, path, issues) that `from` has onto `to`. */
function details<T extends object>(from: Partial<WireError> | undefined, to: T): T {
  if (from) for (const key of ['event', 'path', 'issues'] as const) if (from[key] !== undefined) (to as any)[key] = from[key];
  return to;
}

/** An error with `code` and the extra fields (event, path, issues) that are set. */
export function ackError(code: string, message: string, extra?: Partial<WireError>): CodedError {
  return details(extra, makeError(code, message) as CodedError);
}

interface Pending {
  fn: AckCallback;
  event: string;
  timer: ReturnType<typeof setTimeout>;
}

/** The requests one connection waits on (see {@link ackTable}). */
export interface AckTable {
  /** Register `fn` for a reply to `event`; the packet id, or the refusal when `limit` are waiting. */
  add(event: string, fn: AckCallback, timeout?: number): number | CodedError;
  /** A reply arrived: settle its request. One that none waits for (late or unknown id) is dropped. */
  settle(id: unknown, error: unknown, reply: unknown, check?: ReplyCheck): void;
  /** Reject every waiting request (the connection closed). */
  rejectAll(why: string): void;
}

/**
 * A bounded table of waiting requests, each with its own timeout, all
 * rejected when the connection closes. Closures per connection, not per
 * request: the timers share one expiry function and get the id as argument.
 */
export function ackTable(limit: number, defaultTimeout: number): AckTable {
  const pending = new Map<number, Pending>();
  let next = 1;
  const take = (id: unknown): Pending | undefined => {
    const entry = pending.get(id as number);
    if (entry === undefined) return undefined;
    pending.delete(id as number);
    clearTimeout(entry.timer);
    return entry;
  };
  const expire = (id: number, timeout: number): void => {
    const entry = take(id);
    if (entry) entry.fn(ackError('ALLSPARK_ACK_TIMEOUT', `No reply to "${entry.event}" within ${timeout} ms`, { event: entry.event }));
  };
  return {
    add(event, fn, timeout = defaultTimeout) {
      if (pending.size >= limit) {
        return ackError('ALLSPARK_ACK_LIMIT', `"${event}" not sent: ${limit} requests wait (maxPendingAcks)`, { event });
      }
      const id = next++;
      pending.set(id, { fn, event, timer: setTimeout(expire, timeout, id, timeout) });
      return id;
    },
    settle(id, error, reply, check) {
      const entry = take(id);
      if (entry === undefined) return;
      if (error != null) {
        const e = (typeof error === 'object' ? error : { message: String(error) }) as Partial<WireError>;
        const err = ackError(e.code || 'ALLSPARK_EVENT_HANDLER', e.message || `"${entry.event}" failed`, e);
        err.event = e.event || entry.event;
        return entry.fn(err);
      }
      let value = reply;
      try {
        if (check) value = check(entry.event, reply);
      } catch (err) {
        return entry.fn(err as Error);
      }
      entry.fn(null, value);
    },
    rejectAll(why) {
      for (const id of [...pending.keys()]) {
        const entry = take(id)!;
        entry.fn(ackError('ALLSPARK_ACK_CLOSED', `${why} before "${entry.event}" was answered`, { event: entry.event }));
      }
    },
  };
}

/**
 * An error as it travels back to the requester. Errors that carry a string
 * `code` were raised on purpose and keep their message; anything else is
 * reported as ALLSPARK_EVENT_HANDLER without its text, which could leak
 * internals (the answering side reports the original).
 */
export function toWire(err: unknown, event: string): WireError {
  const e = err as Partial<WireError> | null;
  if (!e || typeof e.code !== 'string') {
    return { code: 'ALLSPARK_EVENT_HANDLER', message: `The handler of "${event}" failed`, event };
  }
  return details(e, { code: e.code, message: e.message || e.code });
}
