import { EventEmitter } from 'node:events';
import type { Redis, RedisOptions } from 'ioredis';
import { describe } from '../../core/errors';
import { requireOptional } from '../../core/optional';
import type { DriverState, RedisDriver } from './driver';

/** A URL (`redis://host:port/db`, `rediss://…`, `/path/to.sock`) or an ioredis client to copy settings from. */
export type RedisTarget = string | RedisLike;

/** What the cluster needs of a user's ioredis client: its settings, through `duplicate`. */
export interface RedisLike {
  duplicate(override?: object): unknown;
}

/**
 * Load ioredis, an optional peer dependency: ALLSPARK_DEPENDENCY with the
 * install command when it is not installed. Not exported: its type names
 * ioredis, which the package's typings must not need.
 */
function loadIoredis(): typeof import('ioredis') {
  return requireOptional<typeof import('ioredis')>('ioredis', 'The cluster plugin');
}

/** Connection settings that keep every queue bounded: no offline queue, no resend of lost commands. */
function bounded(retryMax: number, connectTimeout: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    // 0: commands in flight when a connection drops are rejected at once. With 1, a reconnect on the
    // first attempt drops them without settling their promises (no resend, no rejection): a heartbeat
    // would wait forever and the publish bound would leak.
    maxRetriesPerRequest: 0,
    connectTimeout,
    // Retry forever, every `retryMax` ms at most: the node serves locally meanwhile.
    retryStrategy: (times: number) => Math.min(times * 50, retryMax),
  };
}

/**
 * The driver on ioredis: one connection for commands and publishes, one
 * for subscriptions. Subscriptions are the driver's own set, subscribed
 * again after each reconnect (ioredis's autoResubscribe is off so the
 * driver can report what it re-checked).
 */
export function ioredisDriver(target: RedisTarget, options: { retryMax: number; connectTimeout: number }): RedisDriver {
  const IORedis = loadIoredis().Redis;
  const settings = bounded(options.retryMax, options.connectTimeout);
  const open = (): Redis =>
    typeof target === 'string' ? new IORedis(target, settings) : (target.duplicate(settings) as Redis);
  return new IoredisDriver(open(), open());
}

class IoredisDriver extends EventEmitter implements RedisDriver {
  readonly channels = new Set<string>();
  #state: DriverState = 'connecting';
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  /** Registered scripts; true when the number of keys varies per call. */
  readonly #scripts = new Map<string, boolean>();

  constructor(commands: Redis, subscriber: Redis) {
    super();
    this.#commands = commands;
    this.#subscriber = subscriber;
    for (const connection of [commands, subscriber]) {
      connection.on('ready', this.#onReady);
      connection.on('error', this.#onDown);
      connection.on('close', this.#onClose);
    }
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      this.emit('message', channel.toString('latin1'), message);
    });
  }

  get state(): DriverState {
    return this.#state;
  }

  publish(channel: string, message: Buffer | string): Promise<number> {
    return this.#commands.publish(channel, message);
  }

  subscribe(channel: string): void {
    if (this.channels.has(channel)) return;
    this.channels.add(channel);
    if (this.#subscriber.status === 'ready') this.#subscriber.subscribe(channel).catch(this.#onDown);
  }

  unsubscribe(channel: string): void {
    if (!this.channels.delete(channel)) return;
    if (this.#subscriber.status === 'ready') this.#subscriber.unsubscribe(channel).catch(this.#onDown);
  }

  command(name: string, args: ReadonlyArray<string | number | Buffer>): Promise<unknown> {
    return this.#commands.call(name, ...(args as Array<string | number | Buffer>));
  }

  defineScript(name: string, lua: string, numberOfKeys: number | null): void {
    if (this.#scripts.has(name)) return;
    this.#scripts.set(name, numberOfKeys === null);
    // ioredis: without numberOfKeys, the first argument of each call is the number of keys.
    this.#commands.defineCommand(name, numberOfKeys === null ? { lua } : { lua, numberOfKeys });
  }

  script(name: string, keys: readonly string[], args: ReadonlyArray<string | number | Buffer | ReadonlyArray<string | number | Buffer>>, options?: { buffers?: boolean }): Promise<unknown> {
    const run = (this.#commands as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[options?.buffers === true ? `${name}Buffer` : name];
    // Arrays, not spread: ioredis flattens its arguments one level, and a spread of thousands is slow.
    if (this.#scripts.get(name) === true) return run.call(this.#commands, keys.length, keys, ...args);
    return run.call(this.#commands, keys, ...args);
  }

  async close(): Promise<void> {
    this.#state = 'closed';
    this.channels.clear();
    await Promise.all([this.#commands, this.#subscriber].map(quit));
  }

  #onReady = (): void => {
    if (this.#state === 'closed') return;
    if (this.#commands.status !== 'ready' || this.#subscriber.status !== 'ready') return;
    // Re-check every subscription: after a Redis restart the server knows none of them.
    const channels = [...this.channels];
    if (channels.length > 0) this.#subscriber.subscribe(...channels).catch(this.#onDown);
    this.#state = 'ready';
    this.emit('ready', { resubscribed: channels.length });
  };

  #onDown = (err: unknown): void => {
    if (this.#state === 'closed' || this.#state === 'down') return;
    if (this.#state === 'ready' && this.#commands.status === 'ready' && this.#subscriber.status === 'ready') return;
    this.#state = 'down';
    this.emit('down', err instanceof Error ? err : new Error(describe(err)));
  };

  #onClose = (): void => {
    if (this.#state === 'ready') this.#onDown(new Error('connection to Redis closed'));
  };
}

/** ms a QUIT may take before the connection is dropped: closing never hangs on a stuck Redis. */
const QUIT_TIMEOUT = 1000;

/** Close a connection politely (QUIT), or drop it when it is not up or does not answer in time. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') return connection.disconnect();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => resolve(connection.disconnect()), QUIT_TIMEOUT);
  });
  await Promise.race([connection.quit().then(() => undefined, () => connection.disconnect()), late]);
  clearTimeout(timer);
}
