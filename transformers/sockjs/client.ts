import type { Client } from '../../core/client/client';
import type { ClientPluginHalf, ClientTransport } from '../../core/client/types';
import type { Frame } from '../../core/types';

/** The part of the SockJS client API we use (sockjs-client in Node and in the browser bundle). */
export interface SockJSLike {
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: string }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror?: ((ev: unknown) => void) | null;
}

export type SockJSConstructor = new (url: string, reserved: null, options: Record<string, unknown>) => SockJSLike;

/** sockjs-client 1.x transport names other than `websocket` (its own transport-list order). */
const FALLBACK_TRANSPORTS = [
  'xhr-streaming',
  'xdr-streaming',
  'eventsource',
  'iframe-eventsource',
  'htmlfile',
  'iframe-htmlfile',
  'xhr-polling',
  'xdr-polling',
  'iframe-xhr-polling',
  'jsonp-polling',
];

/**
 * SockJS options for one connection: a copy of the user's `transport`
 * (never written to, spec §7.24). `websockets: false` keeps WebSocket out
 * of the transports sockjs-client may pick (its `info.websocket` override
 * from Primus's days no longer exists in sockjs-client 1.x).
 */
function socketOptions(client: Client): Record<string, unknown> {
  const options: Record<string, unknown> = { ...client.options.transport };
  if (client.options.websockets === false) {
    const chosen = options.transports;
    const list = typeof chosen === 'string' ? [chosen] : Array.isArray(chosen) ? (chosen as string[]) : FALLBACK_TRANSPORTS;
    options.transports = list.filter((name) => name !== 'websocket');
  }
  return options;
}

class SockJSTransport implements ClientTransport {
  /** The open SockJS socket, or null (Primus clients expose it as `client.socket`). */
  socket: SockJSLike | null = null;

  constructor(
    readonly client: Client,
    readonly SockJS: SockJSConstructor,
  ) {}

  open(): void {
    this.close();
    const client = this.client;
    let socket: SockJSLike;
    try {
      socket = new this.SockJS(client.uri({ protocol: 'http:', query: true }), null, socketOptions(client));
    } catch (err) {
      client.transportError(err);
      return;
    }
    let opened = false;
    socket.onopen = () => {
      opened = true;
      client.transportOpened();
    };
    socket.onmessage = (ev) => client.receive(ev.data);
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      // SockJS reports a failed connect (info request refused, every transport failed) as a close with a
      // code above 1000. Before open that is an error; after open it is a lost connection, as on the other
      // transformers (Primus also emitted `error` there; an app written for websockets never sees one).
      if (!opened && (ev?.code ?? 1006) > 1000) {
        client.transportError(new Error(`SockJS connection failed: ${ev?.code} ${ev?.reason ?? ''}`.trim()));
        return;
      }
      client.transportClosed();
    };
    this.socket = socket;
  }

  send(frame: Frame): boolean {
    const socket = this.socket;
    if (socket === null) return false;
    // SockJS carries text only; the kernel refuses binary parsers on this transformer.
    socket.send(frame as string);
    return true;
  }

  close(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.close();
  }
}

/** Client half of the sockjs transformer, for a given SockJS client class. */
export function sockjsClient(SockJS: SockJSConstructor): ClientPluginHalf {
  return (client) => {
    client.transport = new SockJSTransport(client, SockJS);
  };
}
