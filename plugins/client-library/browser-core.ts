/**
 * Entry of the browser core chunk (`dist/browser/core.js`): the client
 * kernel and eventemitter3. The generated library pastes this chunk and the
 * plugin chunks inside one wrapper function that declares `__allspark`;
 * plugin chunks fill `__allspark.halves`, then the wrapper calls
 * `__allspark.create(pathname, entries)` to get the class it exports.
 */
import { socketClass } from '../../core/client/factory';
import type { Client } from '../../core/client/client';
import type { ClientOptions, ClientPluginHalf, ClientConfig } from '../../core/client/types';

/** One plugin as the library lists it: its name and its client options. */
export type LibraryEntry = [name: string, options: unknown];

/** The library's global: a client class that may also be called without `new` (spec §4.1). */
export interface BrowserSocket {
  new (url?: string | ClientOptions, options?: ClientOptions): Client;
  (url?: string | ClientOptions, options?: ClientOptions): Client;
  readonly OPENING: number;
  readonly CLOSED: number;
  readonly OPEN: number;
  /** Primus's statics plugins build on (substream derives its streams from `Primus.Stream`). */
  readonly EventEmitter: unknown;
  readonly Stream: unknown;
  connect(url?: string | ClientOptions, options?: ClientOptions): Client;
}

declare const __allspark: {
  halves: Record<string, ClientPluginHalf<any> | undefined>;
  create?: (pathname: string, entries: LibraryEntry[]) => BrowserSocket;
};

function create(pathname: string, entries: LibraryEntry[]): BrowserSocket {
  const plugins: Array<ClientConfig['plugins'][number]> = [];
  for (const [name, options] of entries) {
    const half = __allspark.halves[name];
    // A plugin whose browser code did not register (a broken third-party library) is left out.
    if (half) plugins.push({ name, half, options });
  }
  const Socket = socketClass({ pathname, plugins });
  // A function returning an object works with and without `new`; sharing the
  // prototype keeps `instanceof Primus` and `Primus.prototype.x = …` working.
  const Primus = function (url?: string | ClientOptions, options?: ClientOptions): Client {
    return new Socket(url, options);
  } as unknown as BrowserSocket & { prototype: unknown };
  Object.assign(Primus, {
    prototype: Socket.prototype,
    OPENING: Socket.OPENING,
    CLOSED: Socket.CLOSED,
    OPEN: Socket.OPEN,
    connect: Socket.connect,
    EventEmitter: Socket.EventEmitter,
    Stream: Socket.Stream,
  });
  return Primus;
}

__allspark.create = create;
