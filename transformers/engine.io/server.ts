import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server as EngineServer, Socket as EngineSocket, ServerOptions } from 'engine.io';
import type { Kernel } from '../../core/kernel';
import type { KernelRequest } from '../../core/http';
import type { TransformerOptions } from '../options';
import { textTooLong, tooLong } from '../limits';
import type { ServerTransformer } from '../../core/slots';
import type { Frame } from '../../core/types';
import type { Spark, SparkTransport } from '../../core/spark';
import { AllsparkError, ErrorCodes } from '../../core/errors';
import { requireOptional } from '../../core/optional';
import { exposeRequest } from '../../core/request';

/** engine.io's code for a request naming a session this process does not hold. */
const UNKNOWN_SID = 1;

/**
 * How long `close()` lets ended sockets flush their last messages (the
 * close message reaches a polling client on its next poll) before engine.io
 * is shut down, which discards whatever is still queued.
 */
const CLOSE_GRACE_MS = 1000;

/**
 * The largest engine.io packet a message of `maxLength` bytes becomes: the
 * one-character type prefix, and base64 for binary (Primus clients force it,
 * spec §1.4). Transport buffers get this bound; the message itself is then
 * checked against `maxLength` exactly, as on every other transformer.
 */
function packetLimit(maxLength: number): number {
  return 4 * Math.ceil(maxLength / 3) + 1;
}

function byteLength(frame: Frame): number {
  return typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength;
}

/** What the socket's current transport holds unsent: a WebSocket's buffered bytes (polling holds nothing between polls). */
function inTransport(socket: EngineSocket): number {
  const transport = socket.transport as unknown as { socket?: { bufferedAmount?: number } } | undefined;
  return transport?.socket?.bufferedAmount ?? 0;
}

/**
 * One engine.io socket as a spark sees it. Bytes queued in engine.io's write
 * buffer are counted until it hands them to the transport (`drain`); past
 * the high-water mark, what the transport holds unsent counts too.
 */
class EngineConnection implements SparkTransport {
  spark!: Spark;
  #queued = 0;
  #blocked = false;
  #failed = false;
  /** Over `maxBuffered`: nothing more is queued until engine.io drains (or the spark closes). */
  #full = false;

  constructor(
    readonly socket: EngineSocket,
    readonly maxLength: number,
    readonly highWaterMark: number,
    readonly maxBuffered: number,
  ) {}

  send(frame: Frame): boolean {
    if (this.#full) return this.spark.skip();
    // Counted first: when engine.io flushes at once, its `drain` (inside `send`) clears the count again.
    this.#queued += byteLength(frame);
    this.socket.send(frame as string | Buffer);
    if (this.#queued < this.highWaterMark) return true;
    this.#blocked = true;
    const buffered = this.#queued + inTransport(this.socket);
    if (buffered > this.maxBuffered) {
      this.#full = true;
      this.spark.overflowed(buffered);
    }
    return false;
  }

  close(): void {
    if (!this.#full) {
      this.socket.close();
      return;
    }
    // A peer that does not read would never take what waits, close packet included: drop it all now.
    (this.socket.transport as unknown as { socket?: { terminate?: () => void } }).socket?.terminate?.();
    this.socket.close(true);
  }

  /** Refuse the connection for an oversized message: the spark ends now, engine.io closes the socket. */
  refuse(err: AllsparkError): void {
    if (this.#failed) return;
    this.#failed = true;
    this.spark.transportError(err);
  }

  onMessage = (data: string | Buffer | undefined): void => {
    if (this.#failed) return;
    // engine.io hands an empty message packet (`4`) over with no data at all: it is the empty text.
    if (data === undefined) data = '';
    const over = typeof data === 'string' ? textTooLong(data, this.maxLength) : data.byteLength > this.maxLength;
    if (over) return this.refuse(tooLong(this.maxLength, `${Buffer.byteLength(data)} bytes received`));
    this.spark.receive(data);
  };

  onDrain = (): void => {
    this.#queued = 0;
    if (!this.#blocked) return;
    this.#blocked = false;
    this.#full = false;
    this.spark.drained();
  };

  onClose = (reason: string, description?: { message?: string }): void => {
    if (this.#failed) return;
    // ws rejects an oversized WebSocket frame (close 1009) and engine.io reports it as a transport error.
    if (reason === 'transport error' && /Max payload size exceeded/.test(String(description?.message))) {
      this.refuse(tooLong(this.maxLength, 'WebSocket frame over the limit'));
      return;
    }
    this.spark.transportClosed();
  };
}

/**
 * The engine.io server behind the `engine.io` transformer. The kernel hands
 * it the requests and upgrades under the pathname that passed the
 * middleware; engine.io's own `path` matching is not used.
 */
export class EngineIoServer extends EventEmitter implements ServerTransformer {
  readonly name = 'engine.io';
  readonly binary = true;
  readonly #engine: EngineServer;
  readonly #kernel: Kernel;
  readonly #options: TransformerOptions;
  readonly #connections = new Map<string, EngineConnection>();
  /** Set while `close()` waits for the last connection to close. */
  #allClosed: (() => void) | undefined;
  /** Transports not closed yet, sockets' current and upgraded-from ones alike. */
  readonly #transports = new Set<TransportInternals>();
  /** engine.io calls back into user code with the request (`allowRequest`). */
  readonly #userCallbacks: boolean;

  constructor(kernel: Kernel, options: TransformerOptions) {
    super();
    this.#kernel = kernel;
    this.#options = options;
    const settings: ServerOptions = {
      perMessageDeflate: options.compression,
      httpCompression: options.compression,
      maxHttpBufferSize: packetLimit(kernel.options.maxLength),
      // Primus lets `transport` override everything above (spec §1.4).
      ...(options.transport as ServerOptions),
    };
    const { Server } = requireOptional<typeof import('engine.io')>('engine.io', 'Transformer "engine.io"');
    this.#engine = new Server(settings);
    this.#userCallbacks = typeof settings.allowRequest === 'function';
    const engine = this.#engine as unknown as { createTransport(name: string, req: IncomingMessage): TransportInternals };
    const create = engine.createTransport.bind(engine);
    engine.createTransport = (name, req) => this.#track(create(name, req));
    this.#engine.on('connection', (socket: EngineSocket) => this.#accept(socket));
    this.#engine.on('connection_error', (err: { code: number; message: string; req: IncomingMessage }) => {
      if (err.code !== UNKNOWN_SID) return;
      kernel.log(
        'warn',
        new AllsparkError(
          ErrorCodes.TRANSPORT,
          `engine.io: request for unknown session "${(err.req as KernelRequest).query?.sid}" (${err.message}). ` +
            'Polling clients send every request of a session to the server that holds it: behind a load balancer ' +
            'enable sticky sessions (see docs/load-balancing.md)',
        ),
      );
    });
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const sid = (req as KernelRequest).query?.sid;
    if (req.method === 'POST' && typeof sid === 'string') {
      // engine.io answers an oversized polling POST with 413 but keeps the session open; we close it.
      res.once('finish', () => {
        if (res.statusCode === 413) this.#connections.get(sid)?.refuse(tooLong(this.#kernel.options.maxLength, 'HTTP POST body over the limit'));
      });
    }
    if (this.#userCallbacks) exposeRequest(req);
    this.#engine.handleRequest(req, res);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#userCallbacks) exposeRequest(req);
    this.#engine.handleUpgrade(req, socket, head);
  }

  /** A request without a session id is a handshake (polling or WebSocket alike). */
  opensConnection(req: KernelRequest): boolean {
    return typeof req.query?.sid !== 'string';
  }

  #accept(socket: EngineSocket): void {
    const kernel = this.#kernel;
    const req = socket.request as KernelRequest;
    // `id` is the sid; engine.io's typings mark it private although it is documented public API.
    const sid = (socket as unknown as { id: string }).id;
    const connection = new EngineConnection(socket, kernel.options.maxLength, this.#options.highWaterMark, kernel.options.maxBuffered);
    this.#connections.set(sid, connection);
    connection.spark = kernel.connect({
      transport: connection,
      request: req,
      socket,
      id: sid,
      // The handshake request's socket may be reused or gone by the time someone asks (spec §1.4).
      remote: req.socket?.remoteAddress ? { ip: req.socket.remoteAddress, port: req.socket.remotePort ?? 0 } : undefined,
    });
    socket.on('message', connection.onMessage);
    socket.on('drain', connection.onDrain);
    socket.once('close', (reason: string, description?: { message?: string }) => {
      this.#connections.delete(sid);
      if (this.#connections.size === 0) this.#allClosed?.();
      connection.onClose(reason, description);
    });
  }

  #track(transport: TransportInternals): TransportInternals {
    this.#transports.add(transport);
    transport.once('close', () => {
      this.#transports.delete(transport);
      // A polling transport closed by the client's close packet keeps the timer of an earlier orderly close.
      process.nextTick(finishClose, transport);
    });
    return transport;
  }

  async close(): Promise<void> {
    if (this.#connections.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#allClosed = resolve;
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      });
      clearTimeout(timer);
      this.#allClosed = undefined;
    }
    this.#engine.close();
    for (const transport of [...this.#transports]) finishClose(transport);
    this.#transports.clear();
  }
}

/** The part of an engine.io transport `close()` needs (internal, hence guarded). */
interface TransportInternals {
  once(event: 'close', fn: () => void): unknown;
  shouldClose?: (() => void) | null;
}

/**
 * A polling transport closed while no poll was pending waits for the next
 * poll, on a 30 s timer that neither engine.io's `close()` nor a close
 * packet from the client cancels. Run that pending close now, so closed
 * sessions and servers leave no timer behind.
 */
function finishClose(transport: TransportInternals): void {
  const pending = transport.shouldClose;
  if (typeof pending !== 'function') return;
  transport.shouldClose = null;
  pending();
}
