import type { ClientPluginHalf } from '../../core/client/types';

declare module '../../core/client/types' {
  interface ClientEvents {
    /** A server ping arrived, and the pong that answers it went out. */
    'incoming::ping': [stamp: number];
    'outgoing::pong': [stamp: number];
  }
}

export interface HeartbeatClientOptions {
  /** ms without a ping before the connection counts as dead; false disables. */
  pingTimeout: number | false;
}

/**
 * Answers pings with pongs and treats a missing ping within `pingTimeout`
 * as a dead connection: `offline`, then the usual loss handling (reconnect).
 * The client's own `pingTimeout` option wins over the server's default.
 */
export const heartbeatClient: ClientPluginHalf<HeartbeatClientOptions> = (client, defaults) => {
  const own = client.options.pingTimeout as number | false | undefined;
  const timeout = own !== undefined ? own : defaults.pingTimeout;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const stop = (): void => {
    clearTimeout(timer);
    timer = undefined;
  };
  const expire = (): void => {
    timer = undefined;
    if (!client.online) return;
    client.online = false;
    client.emit('offline');
    client.drop();
  };
  const arm = (): void => {
    clearTimeout(timer);
    if (timeout) timer = setTimeout(expire, timeout);
  };

  client.control('ping', (self, value) => {
    arm();
    const stamp = Number(value);
    self.emit('incoming::ping', stamp);
    self.emit('outgoing::pong', stamp);
    self.writeControl('pong', stamp);
  });
  client.on('incoming::open', arm);
  client.on('close', stop);
  client.on('outgoing::end', stop);
  return stop;
};
