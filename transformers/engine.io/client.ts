import type { Client } from '../../core/client/client';
import type { ClientPluginHalf, ClientTransport } from '../../core/client/types';
import type { Frame } from '../../core/types';

type Listener = (...args: any[]) => void;

/** The part of engine.io-client's Socket we use (Node build and browser bundle alike). */
export interface EngineSocketLike {
  send(data: Frame): void;
  close(): void;
  on(event: string, fn: Listener): unknown;
  off(event: string, fn: Listener): unknown;
}

export type EngineSocketConstructor = new (uri: string, options: Record<string, unknown>) => EngineSocketLike;

/**
 * engine.io-client settings Primus forces (spec §1.4). `path` is our
 * pathname (engine.io-client adds the trailing `/`); base64 and timestamps
 * keep the wire identical to a Primus 8 client.
 */
function socketOptions(client: Client): Record<string, unknown> {
  return {
    // A copy: the user's `transport` object is never written to (spec §7.24).
    ...client.options.transport,
    path: client.pathname,
    transports: client.options.websockets === false ? ['polling'] : ['polling', 'websocket'],
    forceBase64: true,
    timestampRequests: true,
    // A network change (Wi-Fi to mobile) may land behind a proxy that breaks WebSockets: probe every time.
    rememberUpgrade: false,
  };
}

/** `send` reports pressure once this many bytes wait (as the websockets client does). */
const HIGH_WATER_MARK = 1 << 20;

/** What one frame weighs in engine.io's write buffer (characters of text, bytes of binary). */
function sizeOf(frame: Frame): number {
  return typeof frame === 'string' ? frame.length : frame.byteLength;
}

/** engine.io-client's internals that tell where a frame goes (guarded: absent means "nothing known"). */
type EngineInternals = { upgrading?: boolean; transport?: { writable?: boolean; ws?: { bufferedAmount?: number } } };

/** What engine.io-client's current transport holds unsent: its WebSocket's `bufferedAmount` (polling: nothing between requests). */
function inTransport(socket: EngineSocketLike): number {
  return (socket as EngineInternals).transport?.ws?.bufferedAmount ?? 0;
}

/** Will a frame sent now wait in engine.io-client's write buffer (rather than go to the transport at once)? */
function held(socket: EngineSocketLike): boolean {
  const s = socket as EngineInternals;
  return s.transport?.writable !== true || s.upgrading === true;
}

/**
 * engine.io-client says nothing about what it holds: frames that wait in
 * its write buffer are counted until it reports `drain` (all handed to the
 * transport); what the transport holds is read from its WebSocket.
 */
class EngineIoTransport implements ClientTransport {
  /** The open engine.io socket, or null (Primus clients expose it as `client.socket`). */
  socket: EngineSocketLike | null = null;
  #handlers: Array<[string, Listener]> = [];
  #queued = 0;

  constructor(
    readonly client: Client,
    readonly Socket: EngineSocketConstructor,
  ) {}

  open(): void {
    this.close();
    const client = this.client;
    let socket: EngineSocketLike;
    try {
      // engine.io takes scheme, host and query from the URL, and the path from `path`.
      socket = new this.Socket(client.uri({ protocol: 'http:', query: true }), socketOptions(client));
    } catch (err) {
      client.transportError(err);
      return;
    }
    this.socket = socket;
    this.#handlers = [
      ['open', () => client.transportOpened()],
      ['message', (data: Frame) => client.receive(data)],
      ['error', (err: unknown) => client.transportError(err)],
      ['drain', () => (this.#queued = 0)],
      [
        'close',
        () => {
          if (this.socket !== socket) return;
          this.#release();
          client.transportClosed();
        },
      ],
    ];
    for (const [event, fn] of this.#handlers) socket.on(event, fn);
  }

  send(frame: Frame): boolean {
    const socket = this.socket;
    if (socket === null) return false;
    const waits = held(socket);
    socket.send(frame);
    if (waits) this.#queued += sizeOf(frame);
    return this.#queued + inTransport(socket) < HIGH_WATER_MARK;
  }

  buffered(): number {
    const socket = this.socket;
    return socket === null ? 0 : this.#queued + inTransport(socket);
  }

  close(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.#release();
    socket.close();
  }

  #release(): void {
    const socket = this.socket;
    this.socket = null;
    this.#queued = 0;
    if (socket !== null) for (const [event, fn] of this.#handlers) socket.off(event, fn);
    this.#handlers = [];
  }
}

/** Client half of the engine.io transformer, for a given engine.io-client Socket class. */
export function engineioClient(Socket: EngineSocketConstructor): ClientPluginHalf {
  return (client) => {
    client.transport = new EngineIoTransport(client, Socket);
  };
}
