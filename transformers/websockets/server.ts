import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type ServerOptions } from 'ws';
import type { Kernel } from '../../core/kernel';
import type { KernelRequest } from '../../core/http';
import type { ServerTransformer } from '../../core/slots';
import type { Frame } from '../../core/types';
import type { Spark, SparkTransport } from '../../core/spark';
import { AllsparkError, ErrorCodes } from '../../core/errors';

export interface WebSocketsServerOptions {
  compression: boolean;
  highWaterMark: number;
  transport: Record<string, unknown>;
}

const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

/** One `ws` connection as a spark sees it. No per-message closures: handlers are bound once. */
class WsConnection implements SparkTransport {
  spark!: Spark;
  #blocked = false;
  constructor(
    readonly ws: WebSocket,
    readonly raw: Duplex,
    readonly highWaterMark: number,
    readonly binaryFrames: boolean,
  ) {}

  send(frame: Frame): boolean {
    const ws = this.ws;
    if (typeof frame === 'string') ws.send(frame);
    else ws.send(frame, this.binaryFrames ? BINARY : TEXT);
    if (ws.bufferedAmount < this.highWaterMark) return true;
    this.#blocked = true;
    return false;
  }

  close(): void {
    this.ws.close();
  }

  onMessage = (data: Buffer, isBinary: boolean): void => {
    this.spark.receive(isBinary ? data : data.toString());
  };

  onPing = (): void => {
    // A WebSocket-level ping from the client counts as a sign of life (spec §1.3).
    this.spark.alive = true;
    this.spark.emit('incoming::pong');
  };

  onError = (err: Error & { code?: string }): void => {
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.spark.transportError(
        new AllsparkError(ErrorCodes.MAX_LENGTH, `Message exceeds maxLength; connection closed (${err.message})`, {
          cause: err,
        }),
      );
      return;
    }
    this.spark.transportError(err);
  };

  onClose = (): void => {
    this.spark.transportClosed();
  };

  onDrain = (): void => {
    if (!this.#blocked || this.ws.bufferedAmount >= this.highWaterMark) return;
    this.#blocked = false;
    this.spark.drained();
  };
}

/** The `ws` server behind the websockets transformer. */
export class WebSocketsServer implements ServerTransformer {
  readonly name = 'websockets';
  readonly binary = true;
  readonly #wss: WebSocketServer;
  readonly #kernel: Kernel;
  readonly #options: WebSocketsServerOptions;

  constructor(kernel: Kernel, options: WebSocketsServerOptions) {
    this.#kernel = kernel;
    this.#options = options;
    const settings: ServerOptions = {
      perMessageDeflate: options.compression,
      maxPayload: kernel.options.maxLength,
      ...(options.transport as ServerOptions),
      noServer: true,
      clientTracking: false,
    };
    this.#wss = new WebSocketServer(settings);
  }

  handleRequest(_req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(426, { 'Content-Type': 'text/plain' });
    res.end('Upgrade Required');
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req as KernelRequest, socket));
  }

  #accept(ws: WebSocket, req: KernelRequest, raw: Duplex): void {
    const kernel = this.#kernel;
    const connection = new WsConnection(ws, raw, this.#options.highWaterMark, kernel.parser.binary);
    connection.spark = kernel.connect({ transport: connection, request: req, socket: ws });
    ws.on('message', connection.onMessage);
    ws.on('ping', connection.onPing);
    ws.on('error', connection.onError);
    ws.on('close', connection.onClose);
    raw.on('drain', connection.onDrain);
  }

  /** Convert a broadcast frame once, so `ws` does not re-encode the string per socket. */
  prepareBroadcast(frame: Frame): Frame {
    return typeof frame === 'string' ? Buffer.from(frame) : frame;
  }

  close(): void {
    this.#wss.close();
  }
}
