import { Client } from '../core/client/client';
import type { SocketClass } from '../core/client/factory';
import type { ClientConfig, ClientOptions } from '../core/client/types';
import { ClientUrl, type ConnectUrlParts } from '../core/client/url';

/** What the reconnect plugin leaves on a client (its state machine), as far as options go. */
interface Recovery {
  strategy: Set<string>;
  connectTimeout: number;
}

/**
 * Fill the client's own `options` copy with the values in effect, in the
 * shapes Primus's client leaves there (`strategy` as a comma list, `''` when
 * off; `timeout`; `pingTimeout`): code written for Primus reads them back.
 * The caller's object is never touched (differences §24).
 */
function resolveOptions(client: Client, config: ClientConfig): void {
  const options = client.options;
  const recovery = (client as Client & { recovery?: Recovery }).recovery;
  options.strategy = recovery ? [...recovery.strategy].join(',') : '';
  if (options.timeout === undefined) options.timeout = recovery?.connectTimeout || false;
  if (options.pingTimeout === undefined) {
    const heartbeat = config.plugins.find((plugin) => plugin.name === 'heartbeat');
    options.pingTimeout = (heartbeat?.options as { pingTimeout?: number | false } | undefined)?.pingTimeout ?? false;
  }
}

/** The parts of the URL a client dials, as Primus's `outgoing::url` listeners get and change them. */
export interface OutgoingUrl {
  protocol: string;
  secure: boolean;
  auth: string;
  hostname: string;
  port: number;
  pathname: string;
  query: string;
}

declare module '../core/client/types' {
  interface ClientEvents {
    /** Before dialling: listeners may change the parts of the URL (Primus 8). */
    'outgoing::url': [url: OutgoingUrl];
  }
}

/** Run `outgoing::url` listeners on the parts of `url` and put it back together from what they leave. */
function withUrlListeners(client: Client, url: string): string {
  const u = new URL(url);
  const secure = u.protocol === 'wss:' || u.protocol === 'https:';
  const options: OutgoingUrl = {
    protocol: secure ? u.protocol.replace('s:', ':') : u.protocol,
    secure,
    auth: u.username ? decodeURIComponent(u.username) + (u.password ? ':' + decodeURIComponent(u.password) : '') : '',
    hostname: u.hostname,
    port: Number(u.port) || (secure ? 443 : 80),
    pathname: u.pathname,
    query: u.search.slice(1),
  };
  client.emit('outgoing::url', options);
  const protocol = options.secure ? options.protocol.replace(':', 's:') : options.protocol;
  return `${protocol}//${options.auth ? options.auth + '@' : ''}${u.host}${options.pathname}${options.query ? '?' + options.query : ''}`;
}

/**
 * Primus's `context` check: a method called on something that is not a
 * client reports it, as `error` when the object listens for errors.
 */
function inContext(self: unknown, method: string): boolean {
  if (self instanceof Client) return true;
  const failure = new Error(`Primus#${method}'s context should be called with a Primus instance`);
  const emitter = self as { listeners?: (event: string) => unknown[]; emit?: (event: string, err: Error) => void };
  if (typeof emitter?.listeners !== 'function' || emitter.listeners('error').length === 0) throw failure;
  emitter.emit!('error', failure);
  return false;
}

/**
 * The Node client class of a Primus facade: the kernel client plus the
 * surface Primus's client shows (Node only, so the browser library stays
 * small): `socket` (the transport's socket), `readable`/`writable`,
 * `parse(url)`, resolved `options`, `AVOID_WEBSOCKETS`, and callable
 * without `new` (`primus.Socket(url)`), as Primus allows.
 */
export function primusCompatSocket(Base: SocketClass, config: ClientConfig): SocketClass {
  class PrimusSocket extends Base {
    /** Legacy stream flags: false once ended, true again when (re)opened. */
    readable = true;
    writable = true;
    /** `websockets: false` given: transports that can fall back stay off WebSocket. */
    readonly AVOID_WEBSOCKETS: boolean;

    constructor(url?: string | ClientOptions, options?: ClientOptions) {
      super(url, options);
      resolveOptions(this, config);
      this.AVOID_WEBSOCKETS = this.options.websockets === false;
      this.on('end', () => void (this.readable = this.writable = false));
    }

    /** The transport's socket (a `ws` WebSocket, an engine.io or SockJS socket) while connected. */
    get socket(): unknown {
      return this.transport?.socket;
    }
    /** Primus transformer client code assigns `primus.socket` itself: keep what it sets. */
    set socket(value: unknown) {
      Object.defineProperty(this, 'socket', { value, writable: true, configurable: true, enumerable: true });
    }

    /** Primus's URL parser: the URL in the shape of `client.url`. */
    parse(url: string): ClientUrl {
      return new ClientUrl(url);
    }

    /**
     * The URL to dial. Listeners of `outgoing::url` get Primus's options
     * object first (`protocol`, `secure`, `auth`, `hostname`, `port`,
     * `pathname`, `query` without `?`) and may change it, as in Primus.
     */
    uri(parts: Partial<ConnectUrlParts> = {}): string {
      const url = super.uri(parts);
      if (this.listenerCount('outgoing::url') === 0 || url.startsWith('ws+unix:')) return url;
      return withUrlListeners(this, url);
    }

    open(): this {
      if (!inContext(this, 'open')) return this;
      this.readable = this.writable = true;
      return super.open();
    }
  }
  // Primus's client works with and without `new`; a Proxy keeps the class
  // itself (statics, `prototype`, `instanceof`, `extends`) as it is.
  return new Proxy(PrimusSocket, {
    apply: (Target, _this, args: [string | ClientOptions | undefined, ClientOptions | undefined]) => new Target(...args),
  });
}
