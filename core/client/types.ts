import type { Frame } from '../types';
import type { Client } from './client';

/**
 * One client's connection to the server, made by the transformer's client
 * half. It reports back through `client.transportOpened()`,
 * `client.receive(frame)`, `client.transportError(err)` and
 * `client.transportClosed()`.
 */
export interface ClientTransport {
  /** Dial `url` (closing any previous socket first). */
  open(url: string): void;
  /** Send one frame. Return false when the socket is over its high-water mark. */
  send(frame: Frame): boolean;
  /** Close the socket on purpose; this must not report `transportClosed`. */
  close(): void;
  /**
   * Bytes (or characters) handed to the socket and not sent yet, for the
   * client's `maxBuffered`. Asked only once `send` reported pressure.
   * Transports that cannot tell leave it out (then only `queueSize` bounds).
   */
  buffered?(): number;
  /** The transport library's socket while one is open (Primus clients show it as `client.socket`). */
  readonly socket?: unknown;
}

/**
 * Takes over a client's data messages (continuity numbers them). It sees
 * each outgoing data message after the outgoing transforms and sends,
 * keeps or refuses it itself; and each incoming data frame before the
 * incoming transforms. Control messages never pass here.
 */
export interface ClientLedger {
  /** An outgoing data message; the result is what `write()` returns. */
  post(data: unknown): boolean;
  /** An incoming data frame; false drops it. */
  received(frame: Frame): boolean;
}

/** Why a connection attempt or an open connection was lost. */
export type LostReason = 'disconnect' | 'error' | 'closed' | 'timeout';

/**
 * Decides what happens after a loss (reconnect, wait for the network, …).
 * Return true to take over; when no handler does, the client ends.
 */
export type LostHandler = (reason: LostReason, err?: Error) => boolean;

/** A plugin's client half: runs inside every client, may return a teardown for `destroy()`. */
export type ClientPluginHalf<O = unknown> = (client: Client, options: O) => void | (() => void);

/** What a generated library or a server hands the client: pathname and the client halves to run. */
export interface ClientConfig {
  pathname: string;
  plugins: ReadonlyArray<{ name: string; half: ClientPluginHalf<any>; options: unknown }>;
}

/** Client options (Primus 8 names). Plugins read the ones they own. */
export interface ClientOptions {
  /** Do not connect on construction; call `open()`. Default false. */
  manual?: boolean;
  /**
   * Messages kept while not connected; when full the oldest is dropped and
   * `error` (ALLSPARK_BUFFER_FULL) is emitted once per fill; 0 disables.
   * Default 10000 (Primus: unbounded; pass `Infinity` for that).
   */
  queueSize?: number;
  /**
   * Most bytes waiting in the open socket (the server does not read) before
   * further messages are dropped, counted in `client.dropped`, with one
   * `error` (ALLSPARK_BUFFER_FULL) until it drains. Default 4 MiB.
   */
  maxBuffered?: number;
  /** Options for the underlying transport client (ws options, engine.io options, …). */
  transport?: Record<string, unknown>;
  /** `false` avoids WebSocket on transports that can fall back to HTTP. */
  websockets?: boolean;
  /** Connect URL when not passed positionally. */
  url?: string;
  [option: string]: unknown;
}

/**
 * Events of a client (Primus 8's names). Plugins whose client halves emit
 * their own augment this interface, e.g. the reconnect plugin adds
 * `reconnect`, `reconnect scheduled`, … .
 */
export interface ClientEvents {
  /** `opening`, `open` or `end`. */
  readyStateChange: [state: string];
  /** The connection is open (again). */
  open: [];
  /** A message arrived (after the incoming transforms); `raw` is the frame it came in. */
  data: [data: unknown, raw?: Frame];
  error: [err: Error];
  /** The connection closed; a reconnect may follow. */
  close: [];
  /** The client ended for good. */
  end: [];
  /** The network is (known to be) back, or lost. */
  online: [];
  offline: [];
  /** `destroy()` released everything. */
  destroy: [];
  /** Primus's internal transport events, for client halves and Primus plugins. */
  'outgoing::open': [];
  'outgoing::end': [];
  'incoming::open': [];
  'incoming::error': [err: Error];
  'incoming::end': [];
  /** The server told this client its spark id (`primus::id::`). */
  'incoming::id': [id: string];
}
