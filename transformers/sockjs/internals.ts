/**
 * The parts of sockjs 0.3's internals this transformer relies on, in one
 * place. sockjs has no way to shut a server down: a closed session keeps a
 * `disconnect_delay` timer (5 s) and an idle one a heartbeat timer (25 s),
 * so `close()` expires sessions itself. Every access is guarded: should the
 * internals change, sessions simply expire on sockjs's own timers.
 */

/** A connection as sockjs's `connection` event hands it over (public fields, plus the private session). */
export interface SockJSConnection {
  id: string;
  url: string;
  protocol: string;
  remoteAddress?: string;
  remotePort?: number;
  write(data: string): boolean;
  close(code?: number, reason?: string): boolean;
  // Whatever JSON value the client's frame held: a string from SockJS clients, anything from others.
  on(event: 'data', fn: (message: unknown) => void): unknown;
  on(event: 'close', fn: () => void): unknown;
  removeAllListeners(): unknown;
  _session?: SessionInternals;
}

interface SessionInternals {
  readyState?: number;
  to_tref?: ReturnType<typeof setTimeout> | null;
  recv?: { didClose?: () => void; ws?: FayeLike; thingy?: WritableLike | null; connection?: WritableLike } | null;
  send_buffer?: string[];
  ws?: FayeLike | null;
  didTimeout?: () => void;
  didClose?: () => void;
}

/** The socket under a receiver, for how much it has not sent yet. */
interface WritableLike {
  writableLength?: number;
  destroy?: () => void;
}

/** faye-websocket's server socket, as sockjs uses it for its WebSocket transports. */
interface FayeLike {
  on(event: 'error', fn: (ev: { message?: string }) => void): unknown;
}

const CLOSED = 3;

/** Is a receiver (an open poll, stream or WebSocket) attached, so frames go out at once? */
export function hasReceiver(connection: SockJSConnection): boolean {
  return Boolean(connection._session?.recv);
}

/** The faye WebSocket under a `websocket` / `websocket-raw` session, to learn why it failed. */
export function webSocketOf(connection: SockJSConnection): FayeLike | undefined {
  const session = connection._session;
  if (!session) return undefined;
  return connection.protocol === 'websocket-raw' ? (session.ws ?? undefined) : (session.recv?.ws ?? undefined);
}

/** End a session now: close its receiver, drop its timers, let sockjs emit `close` and forget it. */
export function expire(connection: SockJSConnection): void {
  const session = connection._session;
  if (!session || session.readyState === CLOSED) return;
  try {
    if (connection.protocol === 'websocket-raw') {
      // A raw WebSocket session is its own receiver and has no timers.
      session.didClose?.();
      return;
    }
    session.recv?.didClose?.();
    if (session.to_tref) clearTimeout(session.to_tref);
    session.to_tref = null;
    if (session.readyState !== CLOSED && !session.recv) session.didTimeout?.();
  } catch {
    // sockjs throws on states it considers impossible; the session is gone from our side either way
  }
}

/** Frames a session queued for its client's next poll (sockjs replaces the array when it flushes). */
export function queueOf(connection: SockJSConnection): readonly string[] | undefined {
  const queued = connection._session?.send_buffer;
  return Array.isArray(queued) ? queued : undefined;
}

/** The socket under the session's receiver, if one is attached. */
function receiverSocket(connection: SockJSConnection): WritableLike | null | undefined {
  const recv = connection._session?.recv;
  // A raw WebSocket session keeps its socket as `recv.connection`; other receivers as `thingy`.
  return connection.protocol === 'websocket-raw' ? recv?.connection : recv?.thingy;
}

/** Bytes the session's receiver socket has not sent yet. */
export function unsentOf(connection: SockJSConnection): number {
  return receiverSocket(connection)?.writableLength ?? 0;
}

/**
 * Drop everything a session holds for its client and end it now: for a
 * client that does not read, which would never take a close frame.
 */
export function discard(connection: SockJSConnection): void {
  const session = connection._session;
  if (session && Array.isArray(session.send_buffer)) session.send_buffer = [];
  receiverSocket(connection)?.destroy?.();
  expire(connection);
}
