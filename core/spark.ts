import { Stream } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import type { ParsedUrlQuery } from 'node:querystring';
import type { Frame, Packet, PreparedFrame } from './types';
import type { KernelRequest } from './http';
import { retainRequest, type SparkRequest } from './request';
import type { Kernel } from './kernel';
import { controlMessage } from './control';
import { runPipeline, type Sink } from './transforms';
import type { SparkEvents, WithEvents } from './events';
import { emits, reservedCheck, type EmitsParser, type ReservedCheck } from './emits';

/** Events a spark emits itself. */
export const SPARK_EVENTS = ['readyStateChange', 'heartbeat', 'error', 'data', 'end'];
import { AllsparkError, ErrorCodes, ParserError, describe } from './errors';
import { NullObject } from './null-object';

/** How a transformer sends on and closes one connection. */
export interface SparkTransport {
  /** Send one encoded frame. Return false when the socket is over its high-water mark. */
  send(frame: Frame): boolean;
  /** Close the connection (no close code: Primus peers ignore it, spec §1.3). */
  close(): void;
  /** Send a broadcast frame the transformer prepared (see `ServerTransformer.prepareBroadcast`). */
  sendPrepared?(prepared: PreparedFrame): boolean;
}

/** What a transformer knows about a new connection. */
export interface SparkInit {
  transport: SparkTransport;
  request: KernelRequest;
  /** The transport's own socket object, exposed as `spark.socket`. */
  socket: unknown;
  /** The transport's session id, used unless the kernel has an `idGenerator`. */
  id?: string;
  headers?: IncomingHttpHeaders;
  query?: ParsedUrlQuery;
  /** Remote address when the request's socket does not tell it. */
  remote?: { ip: string; port: number };
}

/** Where a client connects from. */
export interface SparkAddress {
  ip: string;
  port: number;
  secure: boolean;
}

/** Options of {@link Spark.end}. */
export interface EndOptions {
  /** End without the close message, so the client reconnects. */
  reconnect?: boolean;
}

/**
 * Properties plugins add to sparks with `ctx.decorateSpark`. Empty here;
 * plugins augment it (module augmentation) so their additions are typed.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SparkDecorations {}

// Declaration merging: a Spark has every decoration's type.
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Spark extends SparkDecorations {}

/**
 * One server-side connection. A legacy Node `Stream`, so `spark.pipe(dest)`
 * and `readable.pipe(spark)` work. `write` reports backpressure.
 */
export class Spark extends (Stream as WithEvents<typeof Stream, SparkEvents>) {
  static readonly OPENING = 1;
  static readonly CLOSED = 2;
  static readonly OPEN = 3;

  /** Unique connection id (changes on every reconnect). */
  readonly id: string;
  /** Headers of the request that opened the connection. */
  readonly headers: IncomingHttpHeaders;
  /** Parsed query of that request (duplicate keys become arrays). */
  readonly query: ParsedUrlQuery;
  /** The request that opened the connection, or a light record of it (see {@link SparkRequest}). */
  readonly request: SparkRequest;
  /** The transport's socket object. */
  readonly socket: unknown;
  /** The kernel this spark belongs to. */
  readonly kernel: Kernel;
  /** The ready state behind {@link readyState}; the message path reads it directly. */
  #state: number = Spark.OPEN;
  /** Set whenever a frame arrives; liveness checks (heartbeats) clear and test it. */
  alive = true;
  /** Messages dropped because this peer did not read (over `maxBuffered` with `overflow: 'drop'`). */
  dropped = 0;
  /** Legacy stream flags. */
  readonly writable = true;
  readonly readable = true;

  #transport: SparkTransport;
  #remote: { ip: string; port: number } | undefined;
  #held: unknown[] | null = null;
  #sent = true;
  /** True once the transport is closed; until then transformed messages may still go out. */
  #closed = false;
  /** `end({ reconnect: true })`: close without telling the client to stay away. */
  #reconnect = false;

  constructor(kernel: Kernel, init: SparkInit, id: string) {
    super();
    // EventEmitter starts with a dictionary-mode `{ __proto__: null }` listener table (~200 bytes);
    // a fast-mode one holds a spark's few listeners in a fraction of that.
    (this as unknown as { _events: object })._events = new NullObject();
    this.kernel = kernel;
    this.id = id;
    this.request = retainRequest(init.request, kernel.options.keepRequest);
    this.headers = init.headers ?? init.request.headers;
    this.query = init.query ?? init.request.query;
    this.socket = init.socket;
    this.#transport = init.transport;
    this.#remote = init.remote;
  }

  /**
   * `Spark.OPEN` until the spark ends, then `Spark.CLOSED`. A change emits
   * `readyStateChange` (Primus's setter semantics; assigning it does not end the spark).
   */
  get readyState(): number {
    return this.#state;
  }
  set readyState(state: number) {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('readyStateChange');
  }

  /**
   * Where the client connects from, as the socket sees it. Plugins that know
   * better (trusted proxy headers, say) override it with `ctx.decorateSpark`.
   */
  get address(): SparkAddress {
    const socket = this.request?.socket;
    return {
      ip: socket?.remoteAddress ?? this.#remote?.ip ?? '127.0.0.1',
      port: socket?.remotePort ?? this.#remote?.port ?? 0,
      secure: Boolean((socket as { encrypted?: boolean } | undefined)?.encrypted),
    };
  }

  /**
   * Send a message. Returns false when the spark is closed, the value could
   * not be encoded, or the socket's buffer is over its high-water mark
   * (wait for `drain`).
   */
  write(data: unknown): boolean {
    if (this.#state !== Spark.OPEN) return false;
    const steps = this.kernel.hooks.onSend;
    if (steps === null) return this.#sendData(data);
    this.#sent = true;
    runPipeline(steps, this, { data }, SEND);
    return this.#sent;
  }

  /** Send `data` without running the outgoing transforms (Primus's `_write`). */
  _write(data: unknown): boolean {
    return this.#sendData(data);
  }

  /** Send an already-encoded frame, bypassing transforms and the ledger (continuity replays with it). */
  writeFrame(frame: Frame): boolean {
    if (this.#state !== Spark.OPEN) return false;
    return this.#transport.send(frame);
  }

  /** Send a frame prepared once for many sparks (broadcasts, pings). */
  writePrepared(prepared: PreparedFrame): boolean {
    if (this.#state !== Spark.OPEN) return false;
    const ledger = this.kernel.ledger;
    if (ledger !== null && prepared.control !== true) ledger.sending(this, prepared.encoded ?? prepared.frame);
    const transport = this.#transport;
    return transport.sendPrepared === undefined ? transport.send(prepared.frame) : transport.sendPrepared(prepared);
  }

  /** Send a `primus::<type>::<value>` control message, bypassing transforms. */
  writeControl(type: string, value: string | number = ''): boolean {
    if (this.#state !== Spark.OPEN) return false;
    return this.#encodeAndSend(controlMessage(type, value));
  }

  /**
   * End the connection, optionally with a last message. Without
   * `{ reconnect: true }` the client is told not to reconnect.
   */
  end(data?: unknown, options?: EndOptions): this {
    if (this.#state === Spark.CLOSED) return this;
    const steps = data === undefined ? null : this.kernel.hooks.onSend;
    // Without transforms the last message goes out now, while the spark is still open.
    if (data !== undefined && steps === null) this.#sendData(data);
    this.readyState = Spark.CLOSED;
    this.#reconnect = options?.reconnect === true;
    // An async outgoing transform finishes after a synchronous close, which
    // lost the last message in Primus (spec §7.9): close once it is through.
    if (steps !== null) runPipeline(steps, this, { data }, LAST);
    else this.#closeAfterLast();
    return this;
  }

  /** A function that re-emits its arguments as `event` on this spark (Primus's `emits`). */
  emits(event: string, parser?: EmitsParser): (...args: unknown[]) => void {
    return emits(this, event, parser);
  }

  /**
   * Is `event` reserved for the framework (`incoming::*`, `outgoing::*`,
   * `data`, `end`, …)? Each kernel's sparks have their own list; plugins
   * extend `reserved.events`.
   */
  declare readonly reserved: ReservedCheck;

  // ---- called by transformers -------------------------------------------------

  /** A frame arrived: decode, answer control messages, transform, emit `data`. */
  receive(frame: Frame): void {
    this.alive = true;
    const kernel = this.kernel;
    let data: unknown;
    try {
      data = kernel.parser.decode(frame, this);
    } catch (err) {
      this.fail(new ParserError(ErrorCodes.PARSE, `Failed to decode incoming data: ${describe(err)}`, err));
      return;
    }
    if (typeof data === 'string' && data.charCodeAt(0) === 112 && kernel.handleControl(this, data)) return;
    if (this.#held !== null) {
      this.#held.push(data, frame);
      return;
    }
    this.deliver(data, frame);
  }

  /** The transport closed under us: end without the close message. */
  transportClosed(): void {
    this.end(undefined, { reconnect: true });
  }

  /** The transport failed: report it, then end. */
  transportError(err: unknown): void {
    this.fail(
      err instanceof AllsparkError ? err : new AllsparkError(ErrorCodes.TRANSPORT, describe(err), { cause: err }),
    );
    this.end(undefined, { reconnect: true });
  }

  /**
   * More than `maxBuffered` bytes wait for this peer (the transport checks
   * once it is over its high-water mark, and has stopped queueing). Applies
   * the `overflow` policy: returns true when the spark stays open and the
   * transport drops messages (counting them with {@link skip}) until it
   * drains; false when the spark was closed, in which case the transport's
   * `close()` must discard what it holds rather than flush it.
   */
  overflowed(buffered: number): boolean {
    const kernel = this.kernel;
    const { maxBuffered, overflow } = kernel.options;
    const keep = overflow === 'drop';
    const err = new AllsparkError(
      ErrorCodes.BUFFER_FULL,
      `${buffered} bytes wait to be sent to spark ${this.id}, over maxBuffered (${maxBuffered}): the peer does not read; ` +
        (keep ? 'dropping messages until it drains' : 'connection closed'),
    );
    kernel.emit('overflow', this, err, buffered);
    if (keep) {
      kernel.log('warn', err);
      return true;
    }
    this.fail(err);
    // The close message could not get through either: the client reconnects when it reads again.
    this.end(undefined, { reconnect: true });
    return false;
  }

  /** A message the transport did not queue because the peer is over `maxBuffered`. */
  skip(): false {
    this.dropped++;
    return false;
  }

  /** The socket's buffer drained below its high-water mark. */
  drained(): void {
    this.emit('drain');
  }

  // ---- used by the kernel -------------------------------------------------------

  /** Emit `data` after the incoming transforms. */
  deliver(data: unknown, raw: Frame): void {
    const ledger = this.kernel.ledger;
    if (ledger !== null && !ledger.received(this)) return;
    const steps = this.kernel.hooks.onMessage;
    if (steps === null) this.emit('data', data, raw);
    else runPipeline(steps, this, { data, raw }, DELIVER);
  }

  /** Hold incoming messages (while async connection hooks run). */
  hold(): void {
    if (this.#held === null) this.#held = [];
  }

  /** Deliver what was held, in order, and stop holding. */
  release(): void {
    const held = this.#held;
    this.#held = null;
    if (held === null) return;
    for (let i = 0; i < held.length && this.#state === Spark.OPEN; i += 2) {
      this.deliver(held[i], held[i + 1] as Frame);
    }
  }

  /** Report an error: `error` on the spark when someone listens, `log` on the kernel always. */
  fail(err: Error): void {
    this.kernel.log('error', err);
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  /** Send the close message unless the client should reconnect, then close the transport. */
  #closeAfterLast(): void {
    if (!this.#reconnect) this.#encodeAndSend(controlMessage('server', 'close'));
    this.#closed = true;
    this.#transport.close();
    this.kernel.disconnect(this);
    this.emit('end');
    this.emit('close');
  }

  /** Send a control message (or any frame the ledger must not count). */
  #encodeAndSend(data: unknown): boolean {
    const frame = this.#encode(data);
    if (frame === undefined) return true;
    return frame !== null && this.#transport.send(frame);
  }

  /** Send a data message: encoded, shown to the ledger, sent. */
  #sendData(data: unknown): boolean {
    const frame = this.#encode(data);
    if (frame === undefined) return true;
    if (frame === null) return false;
    const ledger = this.kernel.ledger;
    if (ledger !== null) ledger.sending(this, frame);
    return this.#transport.send(frame);
  }

  /** The frame for `data`; `undefined` when the parser sends nothing, `null` when it failed (reported). */
  #encode(data: unknown): Frame | undefined | null {
    try {
      return this.kernel.parser.encode(data, this);
    } catch (err) {
      this.fail(new ParserError(ErrorCodes.ENCODE, `Failed to encode outgoing data: ${describe(err)}`, err));
      return null;
    }
  }

  /** @internal Sinks of the message pipelines (static so they reach private members). */
  static readonly sinks = {
    send: {
      // Messages written before `end()` whose transforms finish while it waits still go out.
      done: (spark: Spark, packet: Packet) => {
        if (!spark.#closed) spark.#sent = spark.#sendData(packet.data);
      },
      fail: failTransform,
    } satisfies Sink<Spark>,
    last: {
      done: (spark: Spark, packet: Packet) => {
        spark.#sendData(packet.data);
        spark.#closeAfterLast();
      },
      drop: (spark: Spark) => spark.#closeAfterLast(),
      fail: (spark: Spark, err: unknown) => {
        failTransform(spark, err);
        spark.#closeAfterLast();
      },
    } satisfies Sink<Spark>,
  };
}

const SEND = Spark.sinks.send;
/** The last message of `end(data)`: close once it is through, dropped or failed (spec §7.9). */
const LAST = Spark.sinks.last;
const DELIVER: Sink<Spark> = { done: emitData, fail: failTransform };

function emitData(spark: Spark, packet: Packet): void {
  spark.emit('data', packet.data, packet.raw);
}

function failTransform(spark: Spark, err: unknown): void {
  spark.fail(
    err instanceof AllsparkError
      ? err
      : new AllsparkError(ErrorCodes.TRANSFORM, `Message transform failed: ${describe(err)}`, { cause: err }),
  );
}

(Spark.prototype as { reserved: ReservedCheck }).reserved = reservedCheck(SPARK_EVENTS);
