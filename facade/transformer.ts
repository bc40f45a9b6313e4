import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Kernel } from '../core/kernel';
import { upgradeRequired } from '../core/http';
import { sparkFactory, type SparkFactory } from './spark-class';
import type { ServerTransformer } from '../core/slots';
import { exposeRequest } from '../core/request';

/** What `Primus.Transformer.extend` takes: Primus's transformer contract (spec §2.10). */
export interface TransformerDefinition {
  /** Runs once with `this` = the transformer: sets `this.service`, listens to `request`/`upgrade`/`close`. */
  server?: (this: Transformer) => void;
  /** Runs in every client with `this` = the client (Primus's client internals: `outgoing::*`/`incoming::*`). */
  client?: (this: any) => void;
  /** Browser code bundled with the client (a WebSocket implementation, …). */
  library?: string;
  [key: string]: unknown;
}

/**
 * Base class of custom transformers written for Primus:
 * `Primus.Transformer.extend({ server, client, library })`. An instance
 * gets Primus's fields (`primus`, `Spark`, `service`, `logger`) and events
 * (`request`, `upgrade` after the middleware passed, `close`); its sparks
 * speak Primus's transport events (`outgoing::data`/`outgoing::end` out,
 * `incoming::data`/`error`/`end`/`pong` in).
 */
/** What a custom transformer needs of the Primus server. */
export type PrimusLike = { emit(event: string, ...args: unknown[]): boolean };

type Logger = Record<'error' | 'warn' | 'info' | 'debug' | 'log' | 'plain', (...args: unknown[]) => void>;

export class Transformer extends EventEmitter {
  /** The Primus server. */
  readonly primus: PrimusLike;
  /** Primus's logger: each level emits `log` on the server. */
  readonly logger: Logger;
  /** `new this.Spark(headers, address, query, id, request, socket)` makes a spark for a new connection. */
  readonly Spark: SparkFactory;
  /** Where the transformer keeps its real-time server. */
  service: unknown = null;
  declare server?: (this: Transformer) => void;
  declare client?: (this: unknown) => void;
  declare library?: string;

  constructor(primus: PrimusLike, kernel: Kernel) {
    super();
    this.primus = primus;
    const at = (level: string) => (...args: unknown[]) => void primus.emit('log', level, ...args);
    this.logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), log: at('log'), plain: at('log') };
    this.Spark = sparkFactory(kernel);
    this.server?.();
  }

  /** A transformer class with `definition`'s members on its prototype (Primus's `Transformer.extend`). */
  static extend<T extends typeof Transformer>(this: T, definition: TransformerDefinition): T {
    const Parent = this as typeof Transformer;
    class Custom extends Parent {}
    Object.assign(Custom.prototype, definition);
    return Custom as T;
  }
}

/** The kernel's view of a custom transformer instance. */
export class CustomTransformerServer implements ServerTransformer {
  readonly binary = true;
  constructor(
    readonly name: string,
    readonly instance: Transformer,
  ) {}

  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    // The transformer is user code: it may add anything to the request its sparks keep.
    exposeRequest(req);
    if (this.instance.emit('request', req, res)) return;
    upgradeRequired(res);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    exposeRequest(req);
    if (!this.instance.emit('upgrade', req, socket, head)) socket.destroy();
  }

  close(): void {
    this.instance.emit('close', {});
    const service = this.instance.service as { close?: () => void } | null;
    try {
      service?.close?.();
    } catch {
      // a transport server that was never listening may refuse to close; it holds nothing then
    }
  }
}

/**
 * The client half that runs a Primus transformer's client function on our
 * client, as source text so it travels to browsers too (`RUN` is replaced
 * by that function). The function gets a view of the client with its own
 * listener table: Primus's transport events (`outgoing::open/data/end` in,
 * `incoming::open/data/error/end` out) stay between it and this adapter,
 * which turns them into the client kernel's transport calls.
 */
const ADAPTER = `function (client) {
  var view = Object.create(client);
  client.constructor.EventEmitter.call(view);
  view.transport = client.options.transport || {};
  view.critical = function (err) { client.transportError(err); };
  view.on('incoming::open', function () { client.transportOpened(); });
  view.on('incoming::data', function (raw) { client.receive(raw); });
  view.on('incoming::error', function (err) { client.transportError(err); });
  view.on('incoming::end', function () { client.transportClosed(); });
  view.on('error', function (err) { client.transportError(err); });
  client.transport = {
    open: function () { view.emit('outgoing::open'); },
    send: function (frame) { view.emit('outgoing::data', frame); return true; },
    close: function () { view.emit('outgoing::end'); }
  };
  (RUN).call(view);
}`;

/** The adapter around `client`'s source (see {@link ADAPTER}). */
export function adapterSource(clientSource: string): string {
  return ADAPTER.replace('RUN', () => clientSource);
}
