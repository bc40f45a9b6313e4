import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type ServerOptions } from 'ws';
import type { Kernel } from '../../core/kernel';
import { ignoreSocketError, upgradeRequired, type KernelRequest } from '../../core/http';
import type { ServerTransformer } from '../../core/slots';
import type { Frame, PreparedFrame } from '../../core/types';
import { payloadOf, wireFrame } from './frame';
import type { Spark, SparkTransport } from '../../core/spark';
import type { TransformerOptions } from '../options';
import { tooLong } from '../limits';
import { NullObject } from '../../core/null-object';
import { exposeRequest } from '../../core/request';

const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

const CONNECTION = Symbol('allspark connection');
type Tagged = { [CONNECTION]: WsConnection };
type Listener = (this: Tagged, ...args: any[]) => void;
type Emitter = {
  _events: Record<string, Listener | Listener[] | undefined>;
  _eventsCount: number;
  on(event: string, fn: Listener): void;
  prependListener(event: string, fn: Listener): void;
  removeListener(event: string, fn: Listener): void;
  listeners(event: string): Listener[];
};

/**
 * One `ws` connection as a spark sees it. The socket listeners below are
 * shared module functions that find their connection through a symbol on
 * the emitter, so a connection costs no closures at all.
 */
class WsConnection implements SparkTransport {
  spark!: Spark;
  blocked = false;
  corked = false;
  /** Inside `ws`'s handling of one socket read. */
  reading = false;
  /** Over `maxBuffered`: nothing more is queued until the socket drains (or the spark closes). */
  full = false;
  /** No extension negotiated: `ws` writes frames synchronously, so ours can go straight to the socket. */
  readonly plain: boolean;
  constructor(
    readonly ws: WebSocket,
    readonly raw: Duplex,
    readonly highWaterMark: number,
    readonly maxBuffered: number,
  ) {
    this.plain = ws.extensions === '';
  }

  send(frame: Frame): boolean {
    if (this.full) return this.spark.skip();
    const ws = this.ws;
    if (typeof frame === 'string') ws.send(frame);
    // Bytes are a binary message unless the parser is a text one (JSON sent as a Buffer by a broadcast).
    else ws.send(frame, this.spark.kernel.parser.binary ? BINARY : TEXT);
    return this.#pressure();
  }

  sendPrepared(prepared: PreparedFrame): boolean {
    if (this.full) return this.spark.skip();
    const wire = prepared.wire as Buffer | undefined;
    if (wire === undefined || !this.plain || this.ws.readyState !== 1) return this.send(prepared.frame);
    this.raw.write(wire);
    return this.#pressure();
  }

  #pressure(): boolean {
    const buffered = this.ws.bufferedAmount;
    if (buffered < this.highWaterMark) return true;
    this.blocked = true;
    // Past the high-water mark only: the common path pays nothing for the cap.
    if (buffered > this.maxBuffered) {
      this.full = true;
      this.spark.overflowed(buffered);
    }
    return false;
  }

  close(): void {
    // A peer that does not read would never take the close frame: free what waits for it now.
    if (this.full) this.ws.terminate();
    else this.ws.close();
  }
}

/**
 * Replies written while handling the messages of one socket read leave
 * together in one `writev`. `ws` parses a read synchronously inside its one
 * `data` listener on the socket; we put a reader in its place ({@link readerFor})
 * that marks the read, calls it, and uncorks if a message corked: no timer and no
 * allocation per message. Messages that arrive outside a read (inflated
 * asynchronously with permessage-deflate) are not corked.
 */
function onMessage(this: Tagged, data: Buffer, isBinary: boolean): void {
  const connection = this[CONNECTION];
  if (connection.reading && !connection.corked) {
    connection.corked = true;
    connection.raw.cork();
  }
  connection.spark.receive(isBinary ? data : data.toString());
}

/**
 * The socket `data` listener that stands in for `ws`'s own `read`: one
 * function per distinct `read` (in practice one per process), never one per
 * connection. It carries `listener = read`, as `once` wrappers do, so `ws`
 * removing its listener (on a close frame or a parse error) removes it.
 */
function readerFor(read: Listener): Listener {
  let reader = readers.get(read);
  if (reader !== undefined) return reader;
  reader = function onRead(this: Tagged, chunk: Buffer): void {
    this[CONNECTION].reading = true;
    try {
      read.call(this, chunk);
    } finally {
      onReadEnd.call(this);
    }
  };
  (reader as Listener & { listener: Listener }).listener = read;
  readers.set(read, reader);
  return reader;
}
const readers = new WeakMap<Listener, Listener>();

function onReadStart(this: Tagged): void {
  this[CONNECTION].reading = true;
}

function onReadEnd(this: Tagged): void {
  const connection = this[CONNECTION];
  connection.reading = false;
  if (!connection.corked) return;
  connection.corked = false;
  connection.raw.uncork();
}

function onPing(this: Tagged): void {
  // A WebSocket-level ping from the client counts as a sign of life (spec §1.3).
  const spark = this[CONNECTION].spark;
  spark.alive = true;
  spark.emit('incoming::pong');
}

function onError(this: Tagged, err: Error & { code?: string }): void {
  const spark = this[CONNECTION].spark;
  if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    spark.transportError(tooLong(spark.kernel.options.maxLength, err.message, err));
    return;
  }
  spark.transportError(err);
}

function onClose(this: Tagged): void {
  this[CONNECTION].spark.transportClosed();
}

function onDrain(this: Tagged): void {
  const connection = this[CONNECTION];
  if (!connection.blocked || connection.ws.bufferedAmount >= connection.highWaterMark) return;
  connection.blocked = false;
  connection.full = false;
  connection.spark.drained();
}

/**
 * Our four listeners on a new `ws` socket. EventEmitter's listener table
 * starts in dictionary mode (a 256-byte hash table per connection with four
 * events); a socket with no listener yet gets a fast-mode table written in
 * one go, and one that has some gets a fast-mode copy and `on`.
 */
function listen(emitter: Emitter): void {
  if (emitter._eventsCount === 0) {
    const events = new NullObject();
    events.message = onMessage;
    events.ping = onPing;
    events.error = onError;
    events.close = onClose;
    emitter._events = events;
    emitter._eventsCount = 4;
    return;
  }
  emitter._events = Object.assign(new NullObject(), emitter._events);
  emitter.on('message', onMessage);
  emitter.on('ping', onPing);
  emitter.on('error', onError);
  emitter.on('close', onClose);
}

/** The `ws` server behind the websockets transformer. */
export class WebSocketsServer extends EventEmitter implements ServerTransformer {
  readonly name = 'websockets';
  readonly binary = true;
  readonly #wss: WebSocketServer;
  readonly #kernel: Kernel;
  readonly #options: TransformerOptions;
  /** `ws` calls back into user code with the request (`verifyClient`, `handleProtocols`). */
  readonly #userCallbacks: boolean;

  constructor(kernel: Kernel, options: TransformerOptions) {
    super();
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
    this.#userCallbacks = typeof settings.verifyClient === 'function' || typeof settings.handleProtocols === 'function';
  }

  handleRequest(_req: IncomingMessage, res: ServerResponse): void {
    upgradeRequired(res);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#userCallbacks) exposeRequest(req);
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req as KernelRequest, socket));
  }

  #accept(ws: WebSocket, req: KernelRequest, raw: Duplex): void {
    const kernel = this.#kernel;
    const connection = new WsConnection(ws, raw, this.#options.highWaterMark, kernel.options.maxBuffered);
    (ws as unknown as Tagged)[CONNECTION] = connection;
    (raw as unknown as Tagged)[CONNECTION] = connection;
    connection.spark = kernel.connect({ transport: connection, request: req, socket: ws });
    listen(ws as unknown as Emitter);
    const socket = raw as unknown as Emitter;
    // ws keeps an `error` listener on the socket from here to its end (a no-op once one fired):
    // the kernel's guard would only make the listener table bigger for the connection's life.
    raw.removeListener('error', ignoreSocketError);
    socket.on('drain', onDrain);
    const read = socket._events.data;
    if (typeof read === 'function') {
      // Take the place of ws's one listener rather than adding two around it (a three-listener
      // array costs another 200 bytes per connection). Swapped in the table: the stream is
      // flowing already, and `ws` removes the reader by the `listener` it carries.
      socket._events.data = readerFor(read);
    } else {
      socket.prependListener('data', onReadStart);
      socket.on('data', onReadEnd);
    }
  }

  /**
   * Build the WebSocket frame of a broadcast once; every plain connection
   * writes the same bytes. Connections with an extension get `frame`: a
   * text frame as it is (immutable; `ws` sends it as text, the opcode of a
   * text parser), else a view of the payload in `wire` (bytes are copied
   * once: the parser may reuse its buffer).
   */
  prepareBroadcast(frame: Frame): PreparedFrame {
    const binary = this.#kernel.parser.binary;
    const wire = wireFrame(frame, binary);
    return { frame: typeof frame === 'string' && !binary ? frame : payloadOf(wire), wire };
  }

  close(): void {
    this.#wss.close();
  }
}
