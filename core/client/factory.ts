import { Client } from './client';
import type { ClientConfig, ClientOptions } from './types';

/** A client class with its configuration built in: `new Socket(url?, options?)`. */
export type SocketClass = {
  new (url?: string | ClientOptions, options?: ClientOptions): Client;
  readonly OPENING: number;
  readonly CLOSED: number;
  readonly OPEN: number;
  readonly EventEmitter: typeof Client.EventEmitter;
  readonly Stream: typeof Client.Stream;
  connect(url?: string | ClientOptions, options?: ClientOptions): Client;
};

/** Make the `Socket` class for one configuration (what a generated library defines). */
export function socketClass(config: ClientConfig): SocketClass {
  class Socket extends Client {
    constructor(url?: string | ClientOptions, options?: ClientOptions) {
      super(config, url, options);
    }
    static connect(url?: string | ClientOptions, options?: ClientOptions): Client {
      return new Socket(url, options);
    }
  }
  return Socket;
}
