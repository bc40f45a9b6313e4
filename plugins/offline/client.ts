import type { Client } from '../../core/client/client';
import type { ClientPluginHalf } from '../../core/client/types';
import type { Reconnect } from '../reconnect/client';

/** The browser globals this plugin needs (absent in Node). */
interface BrowserWindow {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

type Env = { window?: BrowserWindow; navigator?: { onLine?: boolean } };

/**
 * Client half of `offline`. Network events are used when the browser has
 * them (`navigator.onLine` and `window.addEventListener`, Primus's test);
 * the client option `network: false` turns them off, `network: true` uses
 * them even without `navigator.onLine`.
 */
export const offlineClient: ClientPluginHalf = (client) => {
  const env = globalThis as Env;
  const win = env.window;
  const forced = client.options.network;
  if (forced === false || !win || typeof win.addEventListener !== 'function') return;
  if (forced !== true && !(env.navigator && 'onLine' in env.navigator)) return;

  const network = new NetworkWatch(client);
  // Starting without a network: act once the constructor is done (every
  // plugin half has run, listeners added right after `new` hear `offline`)
  // and before the first connect, which runs on a timer.
  if (env.navigator?.onLine === false) void Promise.resolve().then(network.offline);
  win.addEventListener('offline', network.offline);
  win.addEventListener('online', network.online);
  client.on('incoming::open', network.opened);
  return () => {
    network.stopped = true;
    win.removeEventListener('offline', network.offline);
    win.removeEventListener('online', network.online);
  };
};

/** Follows the browser's network state for one client. */
class NetworkWatch {
  #down = false;
  /** Set when the client is destroyed. */
  stopped = false;

  constructor(readonly client: Client) {}

  offline = (): void => {
    if (this.#down || this.stopped) return;
    this.#down = true;
    const client = this.client;
    if (client.online) {
      client.online = false;
      client.emit('offline');
    }
    const recovery = (client as Client & { recovery?: Reconnect }).recovery;
    if (recovery && recovery.strategy.has('online')) {
      // Wait for the network: the held machine claims the loss below (and
      // any failed attempt) without dialling, and the write queue is kept.
      recovery.hold();
      if (client.readyState !== 2 /* CLOSED */) client.drop();
    } else if (client.readyState !== 2 || recovery?.reconnecting) {
      // Nothing will bring the connection back when the network returns: end for good.
      client.end();
    }
  };

  /** A connection opened while the browser claimed to be offline (localhost works offline): trust the connection. */
  opened = (): void => {
    this.#down = false;
  };

  online = (): void => {
    if (!this.#down) return;
    this.#down = false;
    const client = this.client;
    if (!client.online) {
      client.online = true;
      client.emit('online');
    }
    (client as Client & { recovery?: Reconnect }).recovery?.release();
  };
}
