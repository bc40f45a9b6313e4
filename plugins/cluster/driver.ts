/**
 * The few Redis operations the cluster needs, behind an interface of our
 * own so another client (node-redis, a Redis Cluster client) can be added
 * without touching the cluster. {@link ioredisDriver} implements it.
 *
 * Plugins that build on Redis (a continuity store on Redis Streams, say)
 * use the cluster's driver through `clusterOf(kernel).driver` instead of
 * opening connections of their own.
 */
export interface RedisDriver {
  /** `ready` when both connections (commands, subscriptions) are up. */
  readonly state: DriverState;
  /**
   * Publish; rejects at once while the command connection is not ready
   * (nothing is queued offline: callers bound and report what they drop).
   * Resolves with the number of subscribers that received it.
   */
  publish(channel: string, message: Buffer | string): Promise<number>;
  /** Subscribe. The driver remembers the set and subscribes again after every reconnect. */
  subscribe(channel: string): void;
  /** Unsubscribe and forget the channel. */
  unsubscribe(channel: string): void;
  /** Channels the driver keeps subscribed. */
  readonly channels: ReadonlySet<string>;
  /** One plain command (`'hget'`, `['key', 'field']`); rejects at once while not ready. */
  command(name: string, args: ReadonlyArray<string | number | Buffer>): Promise<unknown>;
  /**
   * Register a Lua script once; run it with {@link script}. Scripts survive a Redis restart (resent on NOSCRIPT).
   * `numberOfKeys` null: each call takes as many keys as it passes.
   */
  defineScript(name: string, lua: string, numberOfKeys: number | null): void;
  /**
   * Run a script registered with {@link defineScript}; with `buffers`, bulk strings in the reply are Buffers.
   * An element of `args` may be an array of arguments (flattened one level).
   */
  script(name: string, keys: readonly string[], args: ReadonlyArray<string | number | Buffer | ReadonlyArray<string | number | Buffer>>, options?: { buffers?: boolean }): Promise<unknown>;
  /** Listen to the driver's events. */
  on<E extends keyof DriverEvents>(event: E, listener: DriverEvents[E]): this;
  /** Stop listening. */
  off<E extends keyof DriverEvents>(event: E, listener: DriverEvents[E]): this;
  /** Close the connections the driver opened (a client passed in by the user stays open). */
  close(): Promise<void>;
}

/** Script name → [Lua source, number of keys (null: each call passes as many as it has)]. */
export type ScriptTable = Readonly<Record<string, readonly [lua: string, numberOfKeys: number | null]>>;

/** Register every script of a table (the cluster's, a plugin's own) on the driver. */
export function defineScripts(driver: RedisDriver, scripts: ScriptTable): void {
  for (const [name, [lua, numberOfKeys]] of Object.entries(scripts)) driver.defineScript(name, lua, numberOfKeys);
}

export type DriverState = 'connecting' | 'ready' | 'down' | 'closed';

export interface DriverEvents {
  /** A message on a subscribed channel; `message` is the raw bytes (a view, valid during the call). */
  message: (channel: string, message: Buffer) => void;
  /** Both connections are up (again); `resubscribed` channels were subscribed again. */
  ready: (info: { resubscribed: number }) => void;
  /** A connection was lost or could not be made; ioredis keeps retrying. */
  down: (reason: Error) => void;
}
