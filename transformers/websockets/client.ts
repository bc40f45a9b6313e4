import type { Client } from '../../core/client/client';
import type { ClientPluginHalf, ClientTransport } from '../../core/client/types';
import type { Frame } from '../../core/types';

/** The part of the WebSocket API we use; the browser's and `ws`'s both fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  send(data: Frame): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: { error?: unknown; message?: string }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string, protocols?: string[], options?: unknown) => WebSocketLike;

const HIGH_WATER_MARK = 1 << 20;

function ignore(): void {}

class WebSocketTransport implements ClientTransport {
  /** The open WebSocket, or null (Primus clients expose it as `client.socket`). */
  socket: WebSocketLike | null = null;
  constructor(
    readonly client: Client,
    readonly WS: () => WebSocketConstructor,
  ) {}

  open(url: string): void {
    this.close();
    const client = this.client;
    let socket: WebSocketLike;
    try {
      socket = new (this.WS())(url, [], client.options.transport);
    } catch (err) {
      client.transportError(err);
      return;
    }
    // Browsers default to Blob; `ws` in Node defaults to Buffer, which we keep.
    if (socket.binaryType === 'blob') socket.binaryType = 'arraybuffer';
    socket.onopen = () => client.transportOpened();
    socket.onmessage = (ev) => client.receive(ev.data as Frame);
    socket.onerror = (ev) => client.transportError(ev.error ?? new Error(ev.message ?? 'WebSocket error'));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      client.transportClosed();
    };
    this.socket = socket;
  }

  send(frame: Frame): boolean {
    const socket = this.socket;
    if (socket === null) return false;
    socket.send(frame);
    return socket.bufferedAmount < HIGH_WATER_MARK;
  }

  buffered(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  close(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    socket.onopen = socket.onmessage = socket.onclose = null;
    // Keep an error handler: `ws` emits one when a connecting socket is aborted, and throws without it.
    socket.onerror = ignore;
    try {
      socket.close();
    } catch {
      // closing a socket that never connected may throw in some engines; it is gone either way
    }
  }
}

/**
 * Client half of the websockets transformer. `WS` gives the WebSocket
 * implementation when a connection is dialled, not when the library is
 * evaluated: the library must load where there is no `WebSocket` global
 * (a worker, a vm sandbox, server-side rendering) and fail only on connect.
 */
export function websocketsClient(WS: () => WebSocketConstructor): ClientPluginHalf {
  return (client) => {
    client.transport = new WebSocketTransport(client, WS);
  };
}
