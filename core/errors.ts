/**
 * Every error allspark raises is an {@link AllsparkError} with a stable `code`.
 * Codes never change meaning; tests and user code may branch on them.
 */
export const ErrorCodes = {
  /** A plugin declaration is malformed (no name, bad halves). */
  PLUGIN_INVALID: 'ALLSPARK_PLUGIN_INVALID',
  /** A plugin's options failed its zod schema. */
  PLUGIN_OPTIONS: 'ALLSPARK_PLUGIN_OPTIONS',
  /** Two plugins with the same name. */
  PLUGIN_DUPLICATE: 'ALLSPARK_PLUGIN_DUPLICATE',
  /** A plugin declares (`allspark: range`) that it does not support this allspark version. */
  PLUGIN_VERSION: 'ALLSPARK_PLUGIN_VERSION',
  /** A plugin needs another plugin that was not registered before it. */
  PLUGIN_DEPENDENCY: 'ALLSPARK_PLUGIN_DEPENDENCY',
  /** An exclusive registry slot (transformer, parser) is already taken, or a required one is empty. */
  SLOT: 'ALLSPARK_SLOT',
  /** Unknown hook name. */
  HOOK: 'ALLSPARK_HOOK',
  /** Kernel options (pathname, maxLength, …) are invalid. */
  OPTIONS: 'ALLSPARK_OPTIONS',
  /** A frame could not be decoded; the message is dropped, the connection kept. */
  PARSE: 'ALLSPARK_PARSE',
  /** A value could not be encoded; nothing is sent. */
  ENCODE: 'ALLSPARK_ENCODE',
  /** An inbound message exceeded `maxLength`; the connection is closed. */
  MAX_LENGTH: 'ALLSPARK_MAX_LENGTH',
  /** Authorization refused a request. */
  UNAUTHORIZED: 'ALLSPARK_UNAUTHORIZED',
  /** The transport failed (socket error, refused connection). */
  TRANSPORT: 'ALLSPARK_TRANSPORT',
  /** A message transform failed. */
  TRANSFORM: 'ALLSPARK_TRANSFORM',
  /** The kernel is used in a state that does not allow it (closed, not attached). */
  STATE: 'ALLSPARK_STATE',
  /** A Primus-facade usage error (same messages as Primus 8's PrimusError). */
  PRIMUS: 'ALLSPARK_PRIMUS',
  /** Reconnect gave up after the configured retries. */
  RECONNECT_FAILED: 'ALLSPARK_RECONNECT_FAILED',
  /** A room name is not a non-empty string of at most `maxRoomName` characters. */
  ROOM_INVALID: 'ALLSPARK_ROOM_INVALID',
  /** A spark tried to join more than `maxRoomsPerSpark` rooms. */
  ROOMS_LIMIT: 'ALLSPARK_ROOMS_LIMIT',
  /**
   * `maxPendingQueries` cluster-wide membership queries already wait for the
   * other nodes; the new one is refused (never answered with local data only).
   */
  ROOMS_QUERY_LIMIT: 'ALLSPARK_ROOMS_QUERY_LIMIT',
  /**
   * A membership query between nodes, or an answer to one, is malformed (a
   * node of another version, a stray publisher on the query channel); also
   * the rejection of a query that another node could not answer.
   */
  ROOMS_QUERY_INVALID: 'ALLSPARK_ROOMS_QUERY_INVALID',
  /** A typed event's payload (or reply) failed its zod schema; `err.event`, `err.path`, `err.issues`. */
  EVENT_INVALID: 'ALLSPARK_EVENT_INVALID',
  /** An event not in the event map arrived and the `unknown` policy is `reject`. */
  EVENT_UNKNOWN: 'ALLSPARK_EVENT_UNKNOWN',
  /** An event name reserved for the framework (`data`, `end`, `incoming::*`, …) was used as a typed event. */
  EVENT_RESERVED: 'ALLSPARK_EVENT_RESERVED',
  /** A request's handler threw an error without a code, or no handler answers the event. */
  EVENT_HANDLER: 'ALLSPARK_EVENT_HANDLER',
  /** No reply to an acknowledged emit or a request within its timeout; a late reply is dropped. */
  ACK_TIMEOUT: 'ALLSPARK_ACK_TIMEOUT',
  /** `maxPendingAcks` requests are already waiting on this connection; the new one is refused. */
  ACK_LIMIT: 'ALLSPARK_ACK_LIMIT',
  /** The connection closed while a request waited for its reply. */
  ACK_CLOSED: 'ALLSPARK_ACK_CLOSED',
  /**
   * More than `maxBuffered` bytes wait to be sent to one peer that does not
   * read (a slow consumer): the connection is closed, or (policy `drop`)
   * further messages are dropped and counted until it drains.
   */
  BUFFER_FULL: 'ALLSPARK_BUFFER_FULL',
  /** A new connection was refused: `maxConnections` sparks are open already (HTTP 503). */
  MAX_CONNECTIONS: 'ALLSPARK_MAX_CONNECTIONS',
  /** The process ran out of file descriptors (EMFILE/ENFILE): new connections are being dropped. */
  OVERLOAD: 'ALLSPARK_OVERLOAD',
  /** An optional package a feature needs is not installed (`requireOptional`; the message names the install command). */
  DEPENDENCY: 'ALLSPARK_DEPENDENCY',
  /** The cluster's broker (Redis) is unreachable, a publish was dropped at its bound, or a cross-node call timed out. */
  CLUSTER: 'ALLSPARK_CLUSTER',
  /** A resumable session could not continue without a gap, or was refused or evicted (continuity plugin). */
  CONTINUITY: 'ALLSPARK_CONTINUITY',
  /** The client's queue of unacknowledged messages is full; `write()` returned false (continuity plugin). */
  CONTINUITY_FULL: 'ALLSPARK_CONTINUITY_FULL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base class of every error allspark throws or emits. */
export class AllsparkError extends Error {
  /** Stable machine-readable code, see {@link ErrorCodes}. */
  readonly code: ErrorCode;
  /** HTTP status to answer with, when the error ends an HTTP request. */
  statusCode?: number;

  constructor(code: ErrorCode, message: string, extra?: { cause?: unknown; statusCode?: number }) {
    super(message, extra?.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'AllsparkError';
    this.code = code;
    if (extra?.statusCode !== undefined) this.statusCode = extra.statusCode;
  }
}

/** A frame that the parser could not decode, or a value it could not encode. */
export class ParserError extends AllsparkError {
  constructor(code: typeof ErrorCodes.PARSE | typeof ErrorCodes.ENCODE, message: string, cause?: unknown) {
    super(code, message, { cause });
    this.name = 'ParserError';
  }
}

/** Raised by the Primus facade with Primus 8's exact messages. */
export class PrimusError extends AllsparkError {
  constructor(message: string) {
    super(ErrorCodes.PRIMUS, message);
    this.name = 'PrimusError';
  }
}

/** Message of an unknown thrown value, for error texts (plain `{ message }` objects included). */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}
