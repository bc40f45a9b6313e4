import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Kernel } from '../../core/kernel';
import type { KernelRequest } from '../../core/http';
import type { ServerTransformer } from '../../core/slots';
import type { Frame } from '../../core/types';
import type { Spark, SparkTransport } from '../../core/spark';
import { AllsparkError, ErrorCodes, ParserError } from '../../core/errors';
import { requireOptional } from '../../core/optional';
import { discard, expire, hasReceiver, queueOf, unsentOf, webSocketOf, type SockJSConnection } from './internals';
import { frameLimit, limitBody } from './limits';
import { isFayeTooLarge, textTooLong, tooLong } from '../limits';

interface SockJSService {
  on(event: 'connection', fn: (connection: SockJSConnection | null) => void): unknown;
  listener(options: Record<string, unknown>): { getHandler(): (req: IncomingMessage, res: unknown, head?: Buffer) => boolean };
}

export interface SockJsServerOptions {
  /** sockjs listener options: the schema's `transport`, plus `faye_server_options`. */
  transport: Record<string, unknown>;
  faye: Record<string, unknown>;
  /** `spark.write` returns false once a session holds this many characters. */
  highWaterMark: number;
}

/** Transports whose request carries messages into an existing session. */
const SENDERS = new Set(['xhr_send', 'jsonp_send']);
/** Transports whose request opens (or polls) a session. */
const RECEIVERS = new Set(['websocket', 'xhr', 'xhr_streaming', 'eventsource', 'htmlfile', 'jsonp']);

/**
 * How long `close()` waits for polling clients to fetch the close frame of
 * their ended session (it goes out with the next poll) before sessions are
 * expired.
 */
const CLOSE_GRACE_MS = 1000;

/** While a session is over its high-water mark, how often to look whether it drained (ms). */
const DRAIN_CHECK_MS = 20;

/**
 * One SockJS session as a spark sees it. SockJS carries strings only and
 * reports no backpressure, so `send` measures what the session holds (frames
 * queued for the next poll plus unsent socket bytes) and, once over the
 * high-water mark, checks until it drained.
 */
class SockJsSession implements SparkTransport {
  spark!: Spark;
  #failure: AllsparkError | null = null;
  #closing = false;
  /** Over `maxBuffered`: nothing more is queued until the session drains (or the spark closes). */
  #full = false;
  #drainCheck: ReturnType<typeof setInterval> | undefined;
  /** The poll queue last measured, and its length in characters. */
  #queue: readonly string[] | undefined;
  #queued = 0;
  #delivered!: () => void;
  /** Resolves once the client was handed the close frame (or the session is gone). */
  readonly delivered = new Promise<void>((resolve) => (this.#delivered = resolve));

  constructor(
    readonly connection: SockJSConnection,
    readonly maxLength: number,
    readonly highWaterMark: number,
    readonly maxBuffered: number,
  ) {}

  send(frame: Frame): boolean {
    if (this.#full) return this.spark.skip();
    this.connection.write(frame as string);
    const pending = this.#pending((frame as string).length);
    if (pending < this.highWaterMark) return true;
    this.#drainCheck ??= setInterval(this.#checkDrained, DRAIN_CHECK_MS);
    if (pending > this.maxBuffered) {
      this.#full = true;
      this.spark.overflowed(pending);
    }
    return false;
  }

  /**
   * What the session holds after `added` more characters were written. The
   * queue is counted whole only when sockjs replaced it (a flush); while it
   * grows between polls only the new frame is added, so a burst of sends
   * costs one count, not one per send.
   */
  #pending(added: number): number {
    const queue = queueOf(this.connection);
    if (queue !== this.#queue) {
      this.#queue = queue;
      this.#queued = 0;
      if (queue !== undefined) for (let i = 0; i < queue.length; i++) this.#queued += queue[i].length;
    } else if (queue !== undefined) {
      this.#queued += added;
    }
    return this.#queued + unsentOf(this.connection);
  }

  #checkDrained = (): void => {
    if (this.#pending(0) >= this.highWaterMark) return;
    this.#stopDrainCheck();
    this.#full = false;
    this.spark.drained();
  };

  #stopDrainCheck(): void {
    clearInterval(this.#drainCheck);
    this.#drainCheck = undefined;
  }

  close(): void {
    this.#stopDrainCheck();
    if (this.#full) {
      // A client that does not read would never take the close frame: drop what waits for it now.
      this.#closing = true;
      discard(this.connection);
      this.#delivered();
      return;
    }
    // Without a receiver attached the close frame waits in sockjs for the client's next poll.
    const now = hasReceiver(this.connection);
    this.#closing = true;
    // Always 1000: Primus clients treat higher codes as errors (spec §1.5).
    this.connection.close();
    if (now) this.#delivered();
  }

  /** A poll of this session reached sockjs, which hands it whatever waits, close frame included. */
  polled(): void {
    if (this.#closing) this.#delivered();
  }

  refuse(err: AllsparkError): void {
    if (this.#failure !== null) return;
    this.#failure = err;
    this.spark.transportError(err);
  }

  onData = (message: unknown): void => {
    if (this.#failure !== null) return;
    // sockjs hands on whatever JSON value a client's frame held (`[null]`, `[{"length":1e9}]`); SockJS
    // messages are strings (a raw WebSocket may send bytes), so anything else is a malformed frame:
    // dropped and reported, the session kept.
    if (typeof message !== 'string' && !Buffer.isBuffer(message)) return this.spark.fail(notText(message));
    if (typeof message === 'string' ? textTooLong(message, this.maxLength) : message.length > this.maxLength) {
      this.refuse(tooLong(this.maxLength, `${Buffer.byteLength(message)} bytes received`));
      return;
    }
    this.spark.receive(message);
  };

  onSocketError = (ev: { message?: string }): void => {
    // faye cuts a WebSocket frame past its `maxLength` (our frame limit) and closes with 1009.
    if (isFayeTooLarge(ev.message)) this.refuse(tooLong(this.maxLength, String(ev.message)));
  };

  onClose = (): void => {
    this.#stopDrainCheck();
    this.#delivered();
    this.spark.transportClosed();
  };
}

/** The error for a SockJS message that is not a string. */
function notText(message: unknown): ParserError {
  const got = message === null ? 'null' : Array.isArray(message) ? 'an array' : typeof message === 'object' ? 'an object' : `a ${typeof message}`;
  return new ParserError(ErrorCodes.PARSE, `sockjs: a message must be a string, got ${got}; dropped`);
}

/**
 * sockjs's own log lines. It logs an exception in a request handler (a bug:
 * the client got a 500) and a request it refused (an unsupported
 * Content-Type, bad input) both as `error`; the second is the client's
 * mistake, so it becomes a `warn`. Both as coded errors.
 */
function logSockjs(kernel: Kernel, severity: string, line: string): void {
  if (severity !== 'error') return kernel.log(severity === 'info' ? 'info' : 'debug', line);
  const exception = line.startsWith('Exception');
  kernel.log(exception ? 'error' : 'warn', new AllsparkError(ErrorCodes.TRANSPORT, `sockjs: ${line}`));
}

/** `<prefix>/<server>/<session>/<transport>` → session and transport; `undefined` for other paths. */
function routeOf(path: string, base: string): { session: string; transport: string } | undefined {
  const parts = path.slice(base.length).split('/');
  if (parts.length !== 4 || parts[0] !== '') return undefined;
  return { session: parts[2], transport: parts[3] };
}

const keyOf = (port: number | undefined, url: string | undefined): string => `${port} ${url}`;

/**
 * The sockjs server behind the `sockjs` transformer. Besides wiring sockjs to
 * sparks it gives each spark the request that opened its session (SockJS
 * itself exposes only a whitelist of headers), holds every path to
 * `maxLength`, and warns when a session's requests reach a server that does
 * not hold it (no sticky sessions).
 */
export class SockJsServer extends EventEmitter implements ServerTransformer {
  readonly name = 'sockjs';
  readonly binary = false;
  readonly #kernel: Kernel;
  readonly #handle: (req: IncomingMessage, res: unknown, head?: Buffer) => boolean;
  readonly #base: string;
  readonly #frameLimit: number;
  readonly #highWaterMark: number;
  /** Requests that may open a session, by remote port and URL: what sockjs copies onto the connection. */
  readonly #openers = new Map<string, KernelRequest>();
  /** Open sessions by SockJS session id (the URL segment), to find the spark of an `xhr_send`. */
  readonly #sessions = new Map<string, SockJsSession>();
  /** Every session sockjs still holds, to expire on close. */
  readonly #live = new Set<SockJsSession>();

  constructor(kernel: Kernel, options: SockJsServerOptions) {
    super();
    this.#kernel = kernel;
    const pathname = kernel.options.pathname;
    this.#base = pathname.replace(/\/+$/, '');
    this.#frameLimit = frameLimit(kernel.options.maxLength);
    this.#highWaterMark = options.highWaterMark;
    const sockjs = requireOptional<{ createServer(): SockJSService }>('sockjs', 'Transformer "sockjs"');
    const service = sockjs.createServer();
    service.on('connection', (connection) => {
      if (connection) this.#accept(connection);
    });
    const listener = service.listener({
      faye_server_options: options.faye,
      ...options.transport,
      log: (severity: string, line: string) => logSockjs(kernel, severity, line),
      // sockjs matches the whole URL, query included: the tail lets `/primus?x=1` through as Primus does.
      prefix: this.#base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '(?:[^/]+)?',
    });
    this.#handle = listener.getHandler();
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const request = req as KernelRequest;
    const route = routeOf(request.pathnameOnly, this.#base);
    if (route !== undefined && SENDERS.has(route.transport)) {
      const session = this.#sessions.get(route.session);
      if (session === undefined) this.#warnUnknown(route.session, route.transport);
      const maxLength = this.#kernel.options.maxLength;
      const accepted = limitBody(req, res, this.#frameLimit, (bytes) =>
        session?.refuse(tooLong(maxLength, `${route.transport} body of ${bytes} bytes`)),
      );
      if (!accepted) return;
    } else if (route !== undefined && RECEIVERS.has(route.transport)) {
      const session = this.#sessions.get(route.session);
      if (session === undefined) this.#remember(request, res);
      else {
        this.#handle(req, res);
        session.polled();
        return;
      }
    }
    if (!this.#handle(req, res)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end('404 Error: Page not found\n');
    }
  }

  /** Every SockJS upgrade opens a session; a receiving request does when its session is unknown. */
  opensConnection(req: KernelRequest, upgrade: boolean): boolean {
    if (upgrade) return true;
    const route = routeOf(req.pathnameOnly, this.#base);
    return route !== undefined && RECEIVERS.has(route.transport) && !this.#sessions.has(route.session);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#remember(req as KernelRequest, socket);
    if (!this.#handle(req, socket, head)) socket.destroy();
  }

  async close(): Promise<void> {
    const sessions = [...this.#live];
    if (sessions.length > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)));
      await Promise.race([Promise.all(sessions.map((s) => s.delivered)), grace]);
      clearTimeout(timer);
    }
    // sockjs cannot be shut down: its sessions keep timers for 5-25 s. Expire them now.
    for (const session of sessions) expire(session.connection);
    this.#live.clear();
    this.#sessions.clear();
    this.#openers.clear();
  }

  #remember(req: KernelRequest, closable: { once(event: 'close', fn: () => void): unknown }): void {
    const key = keyOf(req.socket?.remotePort, req.url);
    this.#openers.set(key, req);
    closable.once('close', () => {
      if (this.#openers.get(key) === req) this.#openers.delete(key);
    });
  }

  #opener(connection: SockJSConnection): KernelRequest | undefined {
    let key: string | undefined = keyOf(connection.remotePort, connection.url);
    if (!this.#openers.has(key)) {
      // The socket was gone before sockjs read its port: match on the URL alone.
      key = undefined;
      for (const [k, r] of this.#openers) {
        if (r.url === connection.url) {
          key = k;
          break;
        }
      }
    }
    if (key === undefined) return undefined;
    const req = this.#openers.get(key);
    this.#openers.delete(key);
    return req;
  }

  #accept(connection: SockJSConnection): void {
    const req = this.#opener(connection);
    if (req === undefined) {
      this.#kernel.log('error', new AllsparkError(ErrorCodes.TRANSPORT, `sockjs: no request found for session ${connection.url}; closed`));
      connection.close();
      return;
    }
    const kernel = this.#kernel;
    const session = new SockJsSession(connection, kernel.options.maxLength, this.#highWaterMark, kernel.options.maxBuffered);
    const route = routeOf(req.pathnameOnly, this.#base);
    const sessionId = route?.session;
    this.#live.add(session);
    if (sessionId !== undefined) this.#sessions.set(sessionId, session);
    session.spark = kernel.connect({
      transport: session,
      request: req,
      socket: connection,
      id: connection.id,
      // The full headers of the opening request, as Primus gives them, without its `_via` smuggling (spec §7.6).
      headers: req.headers,
      query: req.query,
      remote: connection.remoteAddress ? { ip: connection.remoteAddress, port: connection.remotePort ?? 0 } : undefined,
    });
    connection.on('data', session.onData);
    connection.on('close', () => {
      this.#live.delete(session);
      if (sessionId !== undefined && this.#sessions.get(sessionId) === session) this.#sessions.delete(sessionId);
      connection.removeAllListeners();
      session.onClose();
    });
    webSocketOf(connection)?.on('error', session.onSocketError);
  }

  #warnUnknown(session: string, transport: string): void {
    this.#kernel.log(
      'warn',
      new AllsparkError(
        ErrorCodes.TRANSPORT,
        `sockjs: ${transport} for unknown session "${session}". Every request of a SockJS session must reach the ` +
          'server that holds it: behind a load balancer enable sticky sessions (see docs/load-balancing.md)',
      ),
    );
  }
}
