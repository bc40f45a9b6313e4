import EventEmitter from 'eventemitter3';
import type { Frame, Packet, Parser } from '../types';
import type { ClientConfig, ClientEvents, ClientLedger, ClientOptions, ClientTransport, LostHandler, LostReason } from './types';
import { ClientUrl, connectUrl, resolveUrl, type ConnectUrlParts } from './url';
import { controlMessage, parseControl } from '../control';
import { emits, reservedCheck, type EmitsParser, type ReservedCheck } from '../emits';
import { AllsparkError } from '../errors';

/** Default `queueSize`: messages kept while not connected. */
const QUEUE_SIZE = 10_000;
/** Default `maxBuffered`: bytes waiting in the open socket. */
const MAX_BUFFERED = 4 * 1024 * 1024;

const CLIENT_EVENTS = new Set([
  'readyStateChange', 'open', 'data', 'error', 'close', 'end', 'timeout', 'online', 'offline', 'destroy',
  'reconnect', 'reconnect scheduled', 'reconnected', 'reconnect timeout', 'reconnect failed',
]);
import {
  runPipeline,
  fromPrimusTransform,
  primusTransforms,
  type PrimusTransform,
  type PrimusTransformers,
  type Sink,
  type Step,
  type TransformTarget,
} from '../transforms';

type ControlHandler = (client: Client, value: string) => void;

/**
 * The client kernel: connection state, write queue, message path and the
 * slots its plugins fill (transport, parser, loss handlers, control types).
 * The same code runs in Node and, bundled, in browsers.
 */
export class Client extends EventEmitter<ClientEvents> {
  static readonly OPENING = 1;
  static readonly CLOSED = 2;
  static readonly OPEN = 3;
  /** The emitter class clients are built on (Primus's `Primus.EventEmitter`). */
  static readonly EventEmitter = EventEmitter;
  /** The base plugins derive streams from (Primus's `Primus.Stream`; an emitter, as in Primus's browser build). */
  static readonly Stream = EventEmitter;

  /** `Client.CLOSED`, `Client.OPENING` or `Client.OPEN`. */
  readyState: number = Client.CLOSED;
  /** The options given to the constructor (a copy; never mutated by us). */
  readonly options: ClientOptions;
  /**
   * The URL given (or defaulted), in Primus's parsed shape (`href`, `protocol`,
   * `hostname`, `query`, …; `String(client.url)` is the href). Only scheme,
   * auth, host and query are used to connect.
   */
  readonly url: ClientUrl;
  /** Server pathname compiled into this client. */
  readonly pathname: string;
  /** Messages waiting for the connection to open (unencoded). */
  buffer: unknown[] = [];
  /** Messages dropped because the socket held more than `maxBuffered` (the server did not read). */
  dropped = 0;
  /** False while the network is known to be down (see the offline plugin). */
  online = true;
  transport: ClientTransport | null = null;
  parser: Parser | null = null;
  /** Set by the server's close message: the coming transport close is final. */
  disconnect = false;
  /** Extra query parameters plugins add to every connect URL (continuity's resume request). */
  readonly connectQuery: Record<string, string> = {};
  /** Takes over data messages in and out (continuity), or `null`: the message path pays one test. */
  ledger: ClientLedger | null = null;

  /** The transforms added with `transform()`, as Primus lists them. */
  readonly transformers: PrimusTransformers<Client> = { incoming: [], outgoing: [] };
  readonly #incoming: Step<Client>[] = [];
  readonly #outgoing: Step<Client>[] = [];
  readonly #lost: LostHandler[] = [];
  readonly #controls = new Map<string, ControlHandler>();
  readonly #teardowns: Array<() => void> = [];
  #plugins: ClientConfig['plugins'] = [];
  readonly #queueSize: number;
  readonly #maxBuffered: number;
  /** Over `maxBuffered`: messages are dropped until the socket drains. */
  #full = false;
  /** The queue dropped its oldest message since it was last flushed (reported once). */
  #queueOverflowed = false;
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  #destroyed = false;
  /** `end` was emitted and nothing opened since: another `end()` has nothing to end. */
  #ended = false;
  #sent = true;

  constructor(config: ClientConfig, url?: string | ClientOptions, options?: ClientOptions) {
    super();
    if (typeof url === 'object' && url !== null) {
      options = url;
      url = (options.url ?? (options as { uri?: string }).uri) as string | undefined;
    }
    // Object.assign, not spread, here and in the other browser code: the browser build targets
    // ES2017, where each chunk using object spread carries esbuild's helpers for it.
    this.options = Object.assign({}, options);
    this.url = new ClientUrl(resolveUrl(typeof url === 'string' ? url : undefined));
    this.pathname = config.pathname;
    const q = this.options.queueSize;
    this.#queueSize = typeof q === 'number' && q >= 0 ? q : QUEUE_SIZE;
    const b = this.options.maxBuffered;
    this.#maxBuffered = typeof b === 'number' && b > 0 ? b : MAX_BUFFERED;
    this.#controls.set('server', (client, value) => {
      if (value === 'close') client.disconnect = true;
    });
    this.#controls.set('id', (client, value) => client.emit('incoming::id', value));
    this.#plugins = config.plugins;
    this.initialise(this.options);
    if (!this.transport || !this.parser) {
      throw new Error('allspark: this client has no transport or parser; the library was built without a transformer');
    }
    if (!this.options.manual) this.#openTimer = setTimeout(() => this.open(), 0);
  }

  /**
   * Set this client up: run every plugin's client half, in order. Called
   * once, by the constructor. Primus calls its set-up `initialise` too, and
   * library code written for Primus wraps `Primus.prototype.initialise` to
   * add per-client state before it (primus-emitter does).
   */
  initialise(_options: ClientOptions): this {
    for (const plugin of this.#plugins) {
      const teardown = plugin.half(this, plugin.options);
      if (typeof teardown === 'function') this.#teardowns.push(teardown);
    }
    return this;
  }

  // ---- public API -----------------------------------------------------------------

  /** Connect (again). Automatic unless `manual: true`. */
  open(): this {
    clearTimeout(this.#openTimer);
    this.#openTimer = undefined;
    if (this.#destroyed) return this;
    this.#ended = false;
    this.readyState = Client.OPENING;
    this.emit('readyStateChange', 'opening');
    this.transport!.open(this.uri({ protocol: 'ws:', query: true }));
    // After dialling, as in Primus (whose transport dials on this event): listeners see
    // `client.transport.socket`. A dial that failed at once has moved on already.
    if (this.readyState === Client.OPENING) this.emit('outgoing::open');
    return this;
  }

  /**
   * Send a message; queued while not connected. Returns false when it was
   * dropped (closed client, full queue) or the socket is over its high-water mark.
   */
  write(data: unknown): boolean {
    if (this.#destroyed) return false;
    if (this.#outgoing.length === 0) return this.#post(data);
    this.#sent = true;
    runPipeline(this.#outgoing, this, { data }, SEND);
    return this.#sent;
  }

  /** Close for good (no reconnect), optionally sending a last message first. */
  end(data?: unknown): this {
    if (data !== undefined && this.#outgoing.length > 0 && this.readyState === Client.OPEN) {
      // Close only once the last message is through the transforms (spec §7.9).
      runPipeline(this.#outgoing, this, { data }, LAST);
      return this;
    }
    if (data !== undefined) this.write(data);
    return this.#end();
  }

  #end(): this {
    const was = this.readyState;
    if (this.#ended && this.#openTimer === undefined) return this;
    this.#ended = true;
    clearTimeout(this.#openTimer);
    this.#openTimer = undefined;
    this.readyState = Client.CLOSED;
    this.disconnect = false;
    this.buffer = [];
    if (was !== Client.CLOSED) this.emit('readyStateChange', 'end');
    this.emit('outgoing::end');
    this.transport?.close();
    if (was !== Client.CLOSED) this.emit('close');
    this.emit('end');
    return this;
  }

  /** End, release every timer and listener. The client cannot be reused. */
  destroy(): boolean {
    if (this.#destroyed) return false;
    this.end();
    this.#destroyed = true;
    for (const teardown of this.#teardowns.splice(0)) teardown();
    this.emit('destroy');
    this.removeAllListeners();
    return true;
  }

  /** Ask the server for this connection's spark id. */
  id(fn: (id: string) => void): this {
    this.once('incoming::id', fn);
    this.#send(controlMessage('id'));
    return this;
  }

  /**
   * Add a message transform: `fn(packet)` (return `false` to drop) or, when
   * it declares two parameters, `fn(packet, next)` calling `next(err?, keep?)`.
   */
  transform(type: 'incoming' | 'outgoing', fn: PrimusTransform<Client>): this {
    if (type !== 'incoming' && type !== 'outgoing') {
      const err = new Error('Invalid transformer type');
      if (this.listenerCount('error') > 0) this.emit('error', err);
      else throw err;
      return this;
    }
    (type === 'incoming' ? this.#incoming : this.#outgoing).push(fromPrimusTransform(fn));
    this.transformers[type].push(fn);
    return this;
  }

  /**
   * Primus's `transforms(owner, connection, type, data, raw)`: run `owner`'s
   * transforms on `data` for `connection`, then emit or `_write` it there
   * (see `primusTransforms`). For plugins that multiplex over one client.
   */
  transforms(owner: { transformers?: PrimusTransformers }, connection: TransformTarget, type: 'incoming' | 'outgoing', data: unknown, raw?: unknown): this {
    primusTransforms(owner, connection, type, data, raw);
    return this;
  }

  /** Send `data` without running the outgoing transforms (queued while not open), as Primus's `_write`. */
  _write(data: unknown): boolean {
    return this.#post(data);
  }

  /** A function that re-emits its arguments as `event` on this client (Primus's `emits`). */
  emits(event: string, parser?: EmitsParser): (...args: unknown[]) => void {
    return emits(this, event, parser);
  }

  /** Is `event` one the client emits itself (`open`, `data`, `reconnect`, `incoming::*`, …)? Plugins extend `reserved.events`. */
  declare readonly reserved: ReservedCheck;

  /** Legacy stream pipe: every `data` value is written to `dest`, `end` ends it. */
  pipe<T extends { write(data: unknown): unknown; end?(): unknown }>(dest: T): T {
    this.on('data', (data: unknown) => dest.write(data));
    this.on('end', () => dest.end?.());
    return dest;
  }

  /** The URL to dial for this client (spec §1.2). */
  uri(parts: Partial<ConnectUrlParts> = {}): string {
    return connectUrl(this.url.href, Object.assign({ protocol: 'ws:', pathname: this.pathname, query: true, extra: this.connectQuery }, parts));
  }

  // ---- plugin API -----------------------------------------------------------------

  /** Answer control messages of `type` from the server. */
  control(type: string, handler: ControlHandler): void {
    this.#controls.set(type, handler);
  }

  /** Send a control message (bypasses transforms; queued while closed). */
  writeControl(type: string, value: string | number = ''): boolean {
    return this.#send(controlMessage(type, value));
  }

  /** Decide what happens after a loss (first handler returning true wins). */
  onLost(handler: LostHandler): void {
    this.#lost.push(handler);
  }

  // ---- called by the transport ----------------------------------------------------

  /** Close the transport as if the connection had been lost (liveness checks use this). */
  drop(): void {
    this.transport?.close();
    this.transportClosed();
  }

  /** The transport is connected. */
  transportOpened(): void {
    this.emit('incoming::open');
    if (!this.online) {
      this.online = true;
      this.emit('online');
    }
    this.readyState = Client.OPEN;
    this.emit('readyStateChange', 'open');
    const queued = this.buffer;
    this.buffer = [];
    this.#queueOverflowed = false;
    this.#full = false;
    for (let i = 0; i < queued.length; i++) this.#send(queued[i]);
    this.emit('open');
  }

  /** A frame arrived. */
  receive(frame: Frame): void {
    let data: unknown;
    try {
      data = this.parser!.decode(frame, this);
    } catch (err) {
      if (this.listenerCount('error') > 0) this.emit('error', toError(err));
      return;
    }
    if (typeof data === 'string' && data.charCodeAt(0) === 112) {
      const control = parseControl(data);
      const handler = control && this.#controls.get(control.type);
      if (handler) return handler(this, control!.value);
    }
    const ledger = this.ledger;
    if (ledger !== null && !ledger.received(frame)) return;
    if (this.#incoming.length === 0) this.emit('data', data, frame);
    else runPipeline(this.#incoming, this, { data, raw: frame }, DELIVER);
  }

  /** The transport failed. */
  transportError(err: unknown): void {
    const error = toError(err);
    this.emit('incoming::error', error);
    if (this.readyState === Client.OPEN) {
      this.emit('error', error);
      return;
    }
    this.readyState = Client.CLOSED;
    if (this.#handleLoss('error', error)) return;
    this.emit('error', error);
    this.end();
  }

  /** The transport closed. */
  transportClosed(): void {
    this.emit('incoming::end');
    if (this.readyState === Client.CLOSED && !this.disconnect) {
      // Already ended, or an attempt that already failed with an error.
      return;
    }
    if (this.disconnect) {
      this.end();
      return;
    }
    const was = this.readyState;
    this.readyState = Client.CLOSED;
    if (was === Client.OPEN) {
      this.emit('readyStateChange', 'end');
      this.emit('close');
      if (!this.#handleLoss('disconnect')) this.#finish();
    } else if (!this.#handleLoss('closed')) {
      this.#finish();
    }
  }

  /** Report a lost connection attempt from a plugin (for example a connect timeout). */
  lost(reason: LostReason, err?: Error): void {
    this.readyState = Client.CLOSED;
    this.transport?.close();
    if (!this.#handleLoss(reason, err)) this.end();
  }

  #finish(): void {
    this.#ended = true;
    this.emit('outgoing::end');
    this.emit('end');
  }

  #handleLoss(reason: LostReason, err?: Error): boolean {
    for (const handler of this.#lost) if (handler(reason, err)) return true;
    return false;
  }

  /** A data message after the outgoing transforms: the ledger's, or sent (queued while closed). */
  #post(data: unknown): boolean {
    const ledger = this.ledger;
    return ledger === null ? this.#send(data) : ledger.post(data);
  }

  #send(data: unknown): boolean {
    if (this.readyState !== Client.OPEN) return this.#enqueue(data);
    let frame: Frame | undefined;
    try {
      frame = this.parser!.encode(data, this);
    } catch (err) {
      if (this.listenerCount('error') > 0) this.emit('error', toError(err));
      return false;
    }
    if (frame === undefined) return true;
    const transport = this.transport!;
    if (this.#full) {
      if ((transport.buffered?.() ?? 0) > this.#maxBuffered) {
        this.dropped++;
        return false;
      }
      this.#full = false;
    }
    if (transport.send(frame)) return true;
    // Over the socket's high-water mark only: the common path pays nothing for the cap.
    const buffered = transport.buffered?.() ?? 0;
    if (buffered > this.#maxBuffered) {
      this.#full = true;
      this.#overflow(`${buffered} bytes wait in the socket, over maxBuffered (${this.#maxBuffered}): the server does not read; dropping messages until it drains`);
    }
    return false;
  }

  #enqueue(data: unknown): boolean {
    if (this.#destroyed || this.#queueSize === 0) return false;
    let kept = true;
    if (this.buffer.length >= this.#queueSize) {
      this.buffer.shift();
      kept = false;
      if (!this.#queueOverflowed) {
        this.#queueOverflowed = true;
        this.#overflow(`${this.#queueSize} messages wait for the connection, the queueSize: dropping the oldest`);
      }
    }
    this.buffer.push(data);
    return kept;
  }

  /** Report, once per episode, that messages are being dropped (ALLSPARK_BUFFER_FULL). */
  #overflow(message: string): void {
    if (this.listenerCount('error') > 0) this.emit('error', new AllsparkError('ALLSPARK_BUFFER_FULL', message));
  }

  /** @internal Sinks of the message pipelines (static so they reach private members). */
  static readonly sinks = {
    send: {
      done: (client: Client, packet: Packet) => void (client.#sent = client.#post(packet.data)),
      fail: failTransform,
    } satisfies Sink<Client>,
    last: {
      done: (client: Client, packet: Packet) => {
        client.#post(packet.data);
        client.#end();
      },
      drop: (client: Client) => void client.#end(),
      fail: (client: Client, err: unknown) => {
        failTransform(client, err);
        client.#end();
      },
    } satisfies Sink<Client>,
  };
}

const SEND = Client.sinks.send;
const LAST = Client.sinks.last;
const DELIVER: Sink<Client> = { done: emitData, fail: failTransform };

function emitData(client: Client, packet: Packet): void {
  client.emit('data', packet.data, packet.raw);
}

function failTransform(client: Client, err: unknown): void {
  if (client.listenerCount('error') > 0) client.emit('error', toError(err));
}

/** Wrap strings and plain objects into Error (Primus copies the object's fields). */
export function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (err && typeof err === 'object') {
    const o = err as { message?: string; reason?: string };
    return Object.assign(new Error(o.message ?? o.reason ?? 'Unknown error'), err);
  }
  return new Error(String(err));
}

(Client.prototype as { reserved: ReservedCheck }).reserved = reservedCheck(CLIENT_EVENTS);
