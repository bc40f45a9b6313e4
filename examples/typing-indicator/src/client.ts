/**
 * The client half: the same function runs in Node clients and, bundled by
 * `npm run build` (src/browser.ts), in the browser library. Only types come
 * from 'allspark', so the bundle holds this file and nothing of the server.
 */
import type { ClientPluginHalf } from 'allspark';

/** What the client half gets from the server (`clientOptions`). */
export interface TypingClientOptions {
  /** ms after the last `typing()` call before "stopped typing" is sent. */
  idleMs: number;
}

declare module 'allspark' {
  interface Client {
    /** Say that this user is typing (`false`: stopped). Stops by itself after `idleMs`. */
    typing(active?: boolean): void;
  }
  interface ClientEvents {
    /** Someone else started (`true`) or stopped typing; `who` is their spark id. */
    typing: [who: string, active: boolean];
    /** The server answered this connection's hello: typing news flow from now on. */
    'typing:ready': [];
  }
}

export const typingClient: ClientPluginHalf<TypingClientOptions> = (client, { idleMs }) => {
  let idle: ReturnType<typeof setTimeout> | undefined;
  let active = false;
  // Negotiation: the server sends typing news only to clients that said hello,
  // so plain Primus clients never see a message they do not understand.
  const hello = (): void => void client.writeControl('typing', 'hello');
  client.on('open', hello);
  client.control('typing', (self, value) => {
    if (value === 'ready') return void self.emit('typing:ready');
    const at = value.lastIndexOf(':');
    if (at > 0) self.emit('typing', value.slice(0, at), value.slice(at + 1) === '1');
  });
  client.typing = (next = true) => {
    clearTimeout(idle);
    idle = next ? setTimeout(() => client.typing(false), idleMs) : undefined;
    if (next === active) return;
    active = next;
    client.writeControl('typing', next ? '1' : '0');
  };
  return () => clearTimeout(idle);
};
