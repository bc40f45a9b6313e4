/**
 * Typed events, types only: the emitters stay Node's `EventEmitter` (and
 * eventemitter3 in clients), so typing them costs nothing at run time.
 *
 * An event map is an interface of `name: [argument tuple]`. The maps of
 * the kernel, sparks, the Primus facade and clients are interfaces that
 * plugins extend by module augmentation, as they extend `SparkDecorations`:
 *
 * ```ts
 * declare module 'allspark' {
 *   interface SparkEvents { ratelimit: [info: { max: number }] }
 * }
 * ```
 */
import type { Spark } from './spark';
import type { PluginDefinition } from './plugin';
import type { Frame } from './types';
import type { AllsparkError } from './errors';

/** The constraint every event map meets: each event names its argument tuple. */
export type EventTuples<Events> = { [E in keyof Events]: unknown[] };

/** A listener for the arguments `Args`. */
export type Listener<Args extends unknown[]> = (...args: Args) => void;

/** Methods of an emitter whose events are typed by `Events`: unknown names do not compile. */
export interface TypedEmitter<Events extends EventTuples<Events>> {
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  addListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  once<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  prependListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  prependOnceListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  removeListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  removeAllListeners(event?: keyof Events): this;
  emit<E extends keyof Events>(event: E, ...args: Events[E]): boolean;
  listeners(event: keyof Events): Function[];
  rawListeners(event: keyof Events): Function[];
  listenerCount(event: keyof Events): number;
}

/** The names {@link TypedEmitter} retypes. */
type EmitterMethod = keyof TypedEmitter<{}>;

/**
 * `Base`'s instance type with its emitter methods typed by `Events`. Used
 * as `class Kernel extends (EventEmitter as Typed<…>)`: the same
 * constructor, only the declared type changes.
 */
export type WithEvents<Base extends abstract new (...args: any[]) => object, Events extends EventTuples<Events>> = new (
  ...args: ConstructorParameters<Base>
) => Omit<InstanceType<Base>, EmitterMethod> & TypedEmitter<Events>;

/** Events of a {@link Kernel}. Plugins that emit their own on the kernel augment this interface. */
export interface KernelEvents {
  /** A spark connected, after every `onConnection` hook passed. */
  connection: [spark: Spark];
  /** A spark ended. */
  disconnection: [spark: Spark];
  /** A plugin was added with `use`. */
  plugin: [name: string, plugin: PluginDefinition];
  /** A plugin was removed with `plugout`. */
  plugout: [name: string, plugin: PluginDefinition];
  /** The kernel closed (`close(options)`). */
  close: [options: { reconnect?: boolean }];
  /** A log line from the kernel or a plugin: `level` is `error`, `warn`, `info` or `debug`. */
  log: [level: string, ...args: unknown[]];
  /** A spark has more than `maxBuffered` bytes waiting (`ALLSPARK_BUFFER_FULL`): closed, or dropping with `overflow: 'drop'`. */
  overflow: [spark: Spark, err: AllsparkError, buffered: number];
  /** New connections are refused (`maxConnections`) or file descriptors ran out (`ALLSPARK_OVERLOAD`). */
  overload: [err: AllsparkError];
}

/** Events of a {@link Spark}. Plugins that emit their own on sparks augment this interface. */
export interface SparkEvents {
  /** A message arrived (after the incoming transforms); `raw` is the frame it came in. */
  data: [data: unknown, raw?: Frame];
  /** The spark ended (`end` then `close`). */
  end: [];
  close: [];
  /** Decoding, encoding, a transform or the transport failed; the kernel also logs it. */
  error: [err: Error];
  /** The socket's buffer drained below its high-water mark after `write` returned false. */
  drain: [];
  readyStateChange: [];
}
