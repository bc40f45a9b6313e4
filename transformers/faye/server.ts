import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Kernel } from '../../core/kernel';
import { upgradeRequired, type KernelRequest } from '../../core/http';
import type { ServerTransformer } from '../../core/slots';
import type { Frame } from '../../core/types';
import type { Spark, SparkTransport } from '../../core/spark';
import { AllsparkError, ErrorCodes } from '../../core/errors';
import { isFayeTooLarge, tooLong } from '../limits';

/** The part of faye-websocket's server socket we use (the package ships no types). */
export interface FayeSocket {
  send(data: string | Buffer): boolean;
  close(): void;
  on(event: 'open', fn: () => void): unknown;
  on(event: 'message', fn: (ev: { data: string | Buffer }) => void): unknown;
  on(event: 'error', fn: (ev: { message?: string }) => void): unknown;
  on(event: 'close', fn: (ev: { code?: number; reason?: string }) => void): unknown;
  removeAllListeners(): unknown;
}

export interface FayeStatic {
  new (req: IncomingMessage, socket: Duplex, head: Buffer, protocols: null, options: Record<string, unknown>): FayeSocket;
  isWebSocket(req: IncomingMessage): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const FayeWebSocket: FayeStatic = require('faye-websocket');

export interface FayeServerOptions {
  highWaterMark: number;
  /** faye-websocket options: the schema's `transport` plus `maxLength` and, with compression, `extensions`. */
  faye: Record<string, unknown>;
}

function toBuffer(frame: Frame): string | Buffer {
  if (typeof frame === 'string' || Buffer.isBuffer(frame)) return frame;
  // faye stringifies anything that is not a Buffer; binary parsers may hand us a plain Uint8Array.
  return frame instanceof ArrayBuffer ? Buffer.from(frame) : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
}

/** One faye connection as a spark sees it. Backpressure is read from the raw TCP socket. */
class FayeConnection implements SparkTransport {
  spark!: Spark;
  #blocked = false;
  /** Over `maxBuffered`: nothing more is queued until the socket drains (or the spark closes). */
  #full = false;
  #failure: AllsparkError | null = null;

  constructor(
    readonly ws: FayeSocket,
    readonly raw: Duplex,
    readonly highWaterMark: number,
    readonly maxBuffered: number,
  ) {}

  send(frame: Frame): boolean {
    if (this.#full) return this.spark.skip();
    this.ws.send(toBuffer(frame));
    // faye's driver pipes every frame straight into the socket: its unsent bytes are all that waits.
    const buffered = this.raw.writableLength;
    if (buffered < this.highWaterMark) return true;
    this.#blocked = true;
    if (buffered > this.maxBuffered) {
      this.#full = true;
      this.spark.overflowed(buffered);
    }
    return false;
  }

  close(): void {
    // A peer that does not read would never take the close frame: free what waits for it now.
    if (this.#full) this.raw.destroy();
    else this.ws.close();
  }

  onMessage = (ev: { data: string | Buffer }): void => {
    this.spark.receive(ev.data);
  };

  onError = (ev: { message?: string }): void => {
    if (isFayeTooLarge(ev.message)) {
      this.#failure = tooLong(this.spark.kernel.options.maxLength, String(ev.message));
    } else {
      this.#failure = new AllsparkError(ErrorCodes.TRANSPORT, String(ev.message ?? 'WebSocket error'));
    }
  };

  onClose = (): void => {
    this.ws.removeAllListeners();
    this.raw.removeListener('drain', this.onDrain);
    if (this.#failure !== null) this.spark.transportError(this.#failure);
    else this.spark.transportClosed();
  };

  onDrain = (): void => {
    if (!this.#blocked || this.raw.writableLength >= this.highWaterMark) return;
    this.#blocked = false;
    this.#full = false;
    this.spark.drained();
  };
}

/** The faye-websocket server behind the `faye` transformer: the `websockets` wire on another WebSocket stack. */
export class FayeServer implements ServerTransformer {
  readonly name = 'faye';
  readonly binary = true;
  readonly #kernel: Kernel;
  readonly #options: FayeServerOptions;
  readonly #open = new Set<FayeSocket>();

  constructor(kernel: Kernel, options: FayeServerOptions) {
    this.#kernel = kernel;
    this.#options = options;
  }

  handleRequest(_req: IncomingMessage, res: ServerResponse): void {
    upgradeRequired(res);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!FayeWebSocket.isWebSocket(req)) {
      socket.destroy();
      return;
    }
    const ws = new FayeWebSocket(req, socket, head, null, this.#options.faye);
    this.#open.add(ws);
    // The handshake is complete only on `open`; before that there is nothing to talk to.
    ws.on('open', () => this.#accept(ws, req as KernelRequest, socket));
    ws.on('close', () => this.#open.delete(ws));
  }

  #accept(ws: FayeSocket, req: KernelRequest, raw: Duplex): void {
    const connection = new FayeConnection(ws, raw, this.#options.highWaterMark, this.#kernel.options.maxBuffered);
    connection.spark = this.#kernel.connect({ transport: connection, request: req, socket: ws });
    ws.on('message', connection.onMessage);
    ws.on('error', connection.onError);
    ws.on('close', connection.onClose);
    raw.on('drain', connection.onDrain);
  }

  close(): void {
    // Sparks are ended already; sockets still mid-handshake are dropped.
    for (const ws of this.#open) ws.close();
    this.#open.clear();
  }
}
