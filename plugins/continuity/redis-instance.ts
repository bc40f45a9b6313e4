import type { RedisDriver } from '../cluster/driver';
import { randomToken } from './protocol';

/**
 * What the Redis store knows of the Redis it talks to: the store-wide epoch
 * (kept in Redis: a Redis that lost its data gets a new one) and the run id
 * of the instance (new at every Redis restart or failover), both read again
 * after every reconnect. `runId` is '' while unknown, so nothing trusts a
 * value from before a reconnect.
 */
export class RedisInstance {
  /** The store's epoch as last read (`''` before the first read). */
  epoch = '';
  /** Run id of the instance connected to, read since the last reconnect ('' until then). */
  runId = '';
  /** Between a `down` and the next `ready`. */
  down = false;
  #loading: Promise<string> | null = null;
  #connecting: Promise<void> | null = null;

  constructor(
    readonly driver: RedisDriver,
    /** The key of the store-wide epoch. */
    readonly epochKey: string,
    /** Name the EPOCH script is registered under. */
    readonly script: string,
  ) {}

  /** The connection was lost: nothing read before counts any more. */
  lost(): void {
    this.down = true;
    this.runId = '';
  }

  /** Connected (again): read the epoch and run id anew. */
  reconnected(): Promise<string> {
    this.down = false;
    this.runId = '';
    return this.load();
  }

  /** Resolves on the driver's next `ready` (one listener however many wait). */
  connected(): Promise<void> {
    this.#connecting ??= new Promise<void>((resolve) => {
      const ready = (): void => {
        this.driver.off('ready', ready);
        this.#connecting = null;
        resolve();
      };
      this.driver.on('ready', ready);
    });
    return this.#connecting;
  }

  /** Read (or set) the epoch, and read the run id; one read at a time. */
  load(): Promise<string> {
    if (this.#loading !== null) return this.#loading;
    const epoch = this.driver.script(this.script, [this.epochKey], [randomToken().slice(0, 8)]) as Promise<string>;
    const info = this.driver.command('info', ['server']) as Promise<string>;
    this.#loading = Promise.all([epoch, info]).then(
      ([e, text]) => {
        this.#loading = null;
        this.epoch = e;
        this.runId = /run_id:(\w+)/.exec(String(text))?.[1] ?? '';
        return e;
      },
      (err: unknown) => {
        this.#loading = null;
        throw err;
      },
    );
    return this.#loading;
  }
}
