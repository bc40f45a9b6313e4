import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import { z } from 'zod/v3';
import type { Frame, Parser, PreparedFrame } from './types';
import { checkDefinition, type PluginDefinition, type Teardown } from './plugin';
import type { InputOf, OptionsSchema, OutputOf } from './schema';
import { announce } from './announce';
import { ServerContext, type ControlHandler } from './context';
import { Registry } from './registry';
import { Slots, type ServerTransformer } from './slots';
import { BROADCAST_CHANNEL, brokerPayload, receiveBroadcasts, type Broker } from './broker';
import type { MessageLedger } from './ledger';
import { Spark, SPARK_EVENTS, type SparkInit } from './spark';
import { reservedCheck, type ReservedCheck } from './emits';
import { AllsparkError, ErrorCodes, describe } from './errors';
import { HookTable, type HookLists, type HookOptions, type ServerHookName, type ServerHooks } from './hooks';
import { ControlTable } from './controls';
import { CONTROL_PREFIX } from './control';
import { takeOver } from './http';
import { RequestEntry } from './entry';
import { NO_OPTIONS, validateOptions } from './options';
import { KernelOptionsSchema, type KernelOptions } from './kernel-options';
import { guardServer } from './overload';
import { ParserLayers, type ParserLayer } from './parser-layers';

export { KernelOptionsSchema, type KernelOptions };
import { randomId } from './id';
import type { KernelEvents, WithEvents } from './events';


interface PluginRecord {
  definition: PluginDefinition;
  options: unknown;
  teardown: Teardown;
}

type CloseOptions = { reconnect?: boolean };

/**
 * The microkernel: a plugin registry, lifecycle hooks and the connection
 * table. It knows no transport, codec or feature; plugins bring them.
 */
export class Kernel extends (EventEmitter as WithEvents<typeof EventEmitter, KernelEvents>) {
  readonly options: KernelOptions;
  readonly registry = new Registry();
  /** Open sparks by id. */
  readonly connections = new Map<string, Spark>();
  /** Hook functions in run order, frozen; `null` when a hook has none (one test on the hot path). */
  readonly hooks: HookLists;
  /** The active parser (from the parser slot). */
  parser!: Parser;
  /** The active transformer (from the transformer slot). */
  transformer!: ServerTransformer;
  /** The cluster's message bus (from the broker slot), or `null` on a single node. */
  broker: Broker | null = null;
  /** Sees data messages in and out (from the ledger slot), or `null` (one test on the message path). */
  ledger: MessageLedger | null = null;
  /** The HTTP server once attached. */
  server: Server | null = null;
  /** This kernel's Spark class: decorations added by plugins stay local to the kernel. */
  readonly Spark: typeof Spark = localSparkClass();

  readonly #plugins = new Map<string, PluginRecord>();
  readonly #hookTable = new HookTable();
  readonly #controls = new ControlTable();
  readonly #parserLayers = new ParserLayers();
  #restore: (() => void) | null = null;
  /** Where requests and upgrades come in; also the paths outside the pathname that plugins claimed. */
  readonly #entry = new RequestEntry(this, this.#hookTable);
  #unguard: (() => void) | null = null;
  /** Stops delivering other nodes' broadcasts (set while a broker is provided). */
  #stopReceiving: (() => void) | null = null;
  #ownsServer = false;
  #state: 'idle' | 'attached' | 'closing' | 'closed' = 'idle';

  constructor(options?: z.input<typeof KernelOptionsSchema>) {
    super();
    this.options = validateOptions(KernelOptionsSchema, options, 'the kernel', ErrorCodes.OPTIONS);
    this.hooks = this.#hookTable.lists;
    this.addControl('kernel', 'id', (spark) => spark.writeControl('id', spark.id));
  }

  /** Add a plugin; options are validated against its schema now. Chainable. */
  use<S extends OptionsSchema>(plugin: PluginDefinition<S, any>, options?: InputOf<S>): this {
    const name = checkDefinition(plugin);
    if (this.#plugins.has(name)) {
      throw new AllsparkError(ErrorCodes.PLUGIN_DUPLICATE, `Plugin "${name}" is already registered`);
    }
    for (const dep of plugin.dependencies ?? []) {
      if (!this.#plugins.has(dep)) {
        throw new AllsparkError(
          ErrorCodes.PLUGIN_DEPENDENCY,
          `The dependency "${dep}" of plugin "${name}" is not registered`,
        );
      }
    }
    const parsed = validateOptions(plugin.options ?? NO_OPTIONS, options, `plugin "${name}"`) as OutputOf<S>;
    const record: PluginRecord = { definition: plugin as PluginDefinition, options: parsed, teardown: undefined };
    this.#plugins.set(name, record);
    try {
      record.teardown = plugin.server?.(new ServerContext(this, name), parsed);
    } catch (err) {
      this.#forget(name);
      throw err;
    }
    this.#refreshSlots();
    this.emit('plugin', name, plugin);
    if (this.#state === 'attached') this.#runInit(name);
    return this;
  }

  /** Remove a plugin and everything it registered. Returns false when unknown. */
  plugout(name: string): boolean {
    const record = this.#plugins.get(name);
    if (!record) return false;
    if (typeof record.teardown === 'function') void record.teardown();
    this.#forget(name);
    this.emit('plugout', name, record.definition);
    return true;
  }

  /** Is a plugin of this name registered? */
  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  /** Registered plugins with their validated options, in registration order. */
  plugins(): Array<{ definition: PluginDefinition; options: unknown }> {
    return [...this.#plugins.values()].map(({ definition, options }) => ({ definition, options }));
  }

  /** Start serving on `server`: checks the slots, runs `onInit`, takes over its requests. */
  attach(server: Server): this {
    if (this.#state !== 'idle') throw new AllsparkError(ErrorCodes.STATE, `Cannot attach a kernel that is ${this.#state}`);
    this.#requireSlots();
    this.server = server;
    this.#state = 'attached';
    this.#runInit();
    this.#restore = takeOver(server, this.options.pathname, this.#entry.onRequest, this.#entry.onUpgrade, this.#entry);
    this.#unguard = guardServer(server, this.options, this);
    // A server that is not listening yet may still emit the `close` of an earlier listen (its last
    // connections draining after `close()`): only a close after this kernel saw it listen ends the kernel.
    if (server.listening) this.#watchClose();
    else server.once('listening', this.#watchClose);
    return this;
  }

  /** Create an HTTP server, attach to it and listen. Closing the kernel closes this server. */
  listen(port = 0, host = '127.0.0.1'): Promise<Server> {
    // Node looks for connections over `handshakeTimeout` this often (its default: every 30 s).
    const server = createServer({ connectionsCheckingInterval: Math.min(1000, this.options.handshakeTimeout) });
    this.attach(server);
    this.#ownsServer = true;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.removeListener('error', reject);
        resolve(server);
      });
    });
  }

  /** Create a spark for a connection the transformer accepted. */
  connect(init: SparkInit): Spark {
    const id = this.options.idGenerator?.() ?? init.id ?? randomId();
    const spark = new this.Spark(this, init, id);
    this.connections.set(id, spark);
    spark.hold();
    // Announce on the next tick so the transformer finishes wiring the socket first.
    process.nextTick(announce, this, spark);
    return spark;
  }

  /** Called by `spark.end()`: forget the spark and tell the plugins. */
  disconnect(spark: Spark): void {
    if (!this.connections.delete(spark.id)) return;
    this.#entry.connectionClosed();
    const hooks = this.hooks.onDisconnection;
    if (hooks !== null) for (const hook of hooks) hook(spark);
    this.emit('disconnection', spark);
  }

  /**
   * Broadcast: encode once, send the same frame to every spark (unless
   * outgoing hooks need per-spark work). With a broker the encoded frame
   * also goes to the other nodes, which frame it once for their sparks;
   * false then means it could not be published (the broker logged why).
   */
  write(data: unknown): boolean {
    if (this.hooks.onSend !== null) {
      const published = this.broker === null || this.#publishBroadcast(data);
      for (const spark of this.connections.values()) spark.write(data);
      return published;
    }
    const frame = this.encode(data, 'broadcast');
    if (frame === null) return false;
    if (frame === undefined) return true;
    // Publish the parser's frame first (not the transformer's copy): the other nodes' share travels
    // while this node writes to its own sparks, and they prepare it for their transformer themselves.
    const published = this.broker === null || this.broker.publish(BROADCAST_CHANNEL, brokerPayload(frame));
    const prepared = this.prepareFrame(frame, isControl(data));
    for (const spark of this.connections.values()) spark.writePrepared(prepared);
    return published;
  }

  /**
   * Encode `data` once and prepare it for sending to many sparks
   * (`spark.writePrepared`). `undefined` when the parser sends nothing for
   * it; `null` when it cannot be encoded, which is logged (ALLSPARK_ENCODE).
   */
  prepare(data: unknown, what = 'message'): PreparedFrame | null | undefined {
    const frame = this.encode(data, what);
    if (frame === undefined || frame === null) return frame;
    return this.prepareFrame(frame, isControl(data));
  }

  /**
   * Prepare a frame the parser already encoded (here or on another node)
   * for sending to many sparks: the one rule for broadcasts, rooms and
   * messages from other nodes. `control` marks frames a ledger must not count.
   */
  prepareFrame(frame: Frame, control = false): PreparedFrame {
    const prepared = this.transformer.prepareBroadcast ? this.transformer.prepareBroadcast(frame) : { frame };
    // A ledger counts data only: a prepared control (the heartbeat's ping) says so once here.
    if (control) return { ...prepared, control: true };
    // A ledger keeps the parser's frame, not the transformer's copy (text as bytes, say).
    return this.ledger !== null && prepared.frame !== frame ? { ...prepared, encoded: frame } : prepared;
  }

  /** Encode with the parser; `null` (logged as ALLSPARK_ENCODE, naming `what`) when it cannot. */
  encode(data: unknown, what = 'message'): Frame | null | undefined {
    try {
      return this.parser.encode(data);
    } catch (err) {
      this.log('error', new AllsparkError(ErrorCodes.ENCODE, `Failed to encode ${what}: ${describe(err)}`, { cause: err }));
      return null;
    }
  }

  /** Call `fn` for every spark; returning `false` stops the walk. */
  forEach(fn: (spark: Spark, id: string, connections: Map<string, Spark>) => unknown): this {
    for (const [id, spark] of this.connections) if (fn(spark, id, this.connections) === false) break;
    return this;
  }

  /** The spark with this id, if connected. */
  spark(id: string): Spark | undefined {
    return this.connections.get(id);
  }

  /** Number of open sparks. */
  get connected(): number {
    return this.connections.size;
  }

  /**
   * Shut down: end every spark (with `reconnect` the clients come back
   * elsewhere), run `onClose` hooks and plugin teardowns in reverse, close
   * the transport, give the HTTP server its listeners back.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#state = 'closing';
    for (const spark of [...this.connections.values()]) spark.end(undefined, { reconnect: options.reconnect });
    const closeHooks = [...(this.hooks.onClose ?? [])].reverse();
    for (const hook of closeHooks) await hook();
    for (const record of [...this.#plugins.values()].reverse()) {
      if (typeof record.teardown === 'function') await record.teardown();
      record.teardown = undefined;
    }
    await this.transformer?.close();
    this.#restore?.();
    this.#restore = null;
    this.#unguard?.();
    this.#unguard = null;
    this.server?.removeListener('listening', this.#watchClose);
    this.server?.removeListener('close', this.#onServerClose);
    if (this.#ownsServer && this.server?.listening) await new Promise((r) => this.server!.close(() => r(undefined)));
    this.#state = 'closed';
    this.emit('close', options);
  }

  /** Emit a `log` event. */
  log(level: string, ...args: unknown[]): void {
    this.emit('log', level, ...args);
  }

  // ---- registration (used through ServerContext) --------------------------------

  /** @internal Register a hook for `plugin`. */
  addHook<N extends ServerHookName>(plugin: string, name: N, fn: ServerHooks[N], options?: HookOptions): () => void {
    return this.#hookTable.add(plugin, name, fn, options);
  }

  /** @internal Add a property to this kernel's sparks (see `ctx.decorateSpark`). */
  decorateSpark(plugin: string, name: string, descriptor: PropertyDescriptor, override = false): void {
    const proto = this.Spark.prototype;
    // `override` may shadow a Spark member, never another plugin's decoration.
    if (Object.prototype.hasOwnProperty.call(proto, name) || (!override && name in proto)) {
      throw new AllsparkError(ErrorCodes.PLUGIN_INVALID, `Plugin "${plugin}" cannot decorate sparks with "${name}": it exists already`);
    }
    Object.defineProperty(proto, name, { configurable: true, ...descriptor });
  }

  /** @internal Route requests for the exact `path` to this kernel for `plugin` (see `ctx.claimPath`). */
  claimPath(plugin: string, path: string): void {
    this.#entry.claim(plugin, path);
  }

  /** @internal Put `plugin`'s layer over the parser (see `ctx.layerParser`). */
  layerParser(plugin: string, wrap: ParserLayer): void {
    this.#parserLayers.add(plugin, wrap);
    this.#refreshSlots();
  }

  /** @internal Register a control message handler for `plugin`. */
  addControl(plugin: string, type: string, handler: ControlHandler): void {
    this.#controls.add(plugin, type, handler);
  }

  /** @internal Answer a control message; false when nobody speaks its type (then it is data). */
  handleControl(spark: Spark, data: string): boolean {
    return this.#controls.handle(spark, data);
  }

  // ---- internals -----------------------------------------------------------------

  #watchClose = (): void => {
    this.server?.once('close', this.#onServerClose);
  };

  #onServerClose = (): void => {
    void this.close().catch((err) => this.log('error', err));
  };

  #runInit(only?: string): void {
    for (const entry of this.#hookTable.ordered('onInit')) {
      if (only === undefined || entry.plugin === only) entry.fn(this);
    }
  }

  /** Outgoing transforms run per spark, so the other nodes get the message encoded plainly and transform it themselves. */
  #publishBroadcast(data: unknown): boolean {
    const frame = this.encode(data, 'broadcast');
    if (frame === null) return false;
    return frame === undefined || this.broker!.publish(BROADCAST_CHANNEL, brokerPayload(frame));
  }

  #requireSlots(): void {
    if (!this.transformer) {
      throw new AllsparkError(ErrorCodes.SLOT, 'No transformer: use a transformer plugin (for example websockets) before attaching');
    }
    if (!this.parser) {
      throw new AllsparkError(ErrorCodes.SLOT, 'No parser: use a parser plugin (for example json) before attaching');
    }
    if (this.parser.binary && !this.transformer.binary) {
      throw new AllsparkError(
        ErrorCodes.SLOT,
        `The "${this.parser.name}" parser needs binary frames, which the "${this.transformer.name}" transformer cannot carry`,
      );
    }
  }

  #refreshSlots(): void {
    this.parser = this.#parserLayers.over(this.registry.lookup<Parser>(Slots.parser))!;
    this.transformer = this.registry.lookup<ServerTransformer>(Slots.transformer)!;
    this.ledger = this.registry.lookup<MessageLedger>(Slots.ledger) ?? null;
    const broker = this.registry.lookup<Broker>(Slots.broker) ?? null;
    if (broker === this.broker) return;
    this.#stopReceiving?.();
    this.#stopReceiving = broker === null ? null : receiveBroadcasts(this, broker);
    this.broker = broker;
  }

  #forget(name: string): void {
    this.#plugins.delete(name);
    this.registry.release(name);
    this.#hookTable.forget(name);
    this.#controls.forget(name);
    this.#parserLayers.forget(name);
    this.#entry.forget(name);
    this.#refreshSlots();
  }
}

/** A `primus::…` string: a control message, which a ledger does not count. */
function isControl(data: unknown): boolean {
  return typeof data === 'string' && data.startsWith(CONTROL_PREFIX);
}

/** Create a kernel. Add plugins with `use`, then `attach(server)` or `listen(port)`. */
export function createKernel(options?: z.input<typeof KernelOptionsSchema>): Kernel {
  return new Kernel(options);
}

/** A Spark class of one kernel's own, so decorations and reserved names stay local to it. */
function localSparkClass(): typeof Spark {
  class KernelSpark extends Spark {}
  (KernelSpark.prototype as { reserved: ReservedCheck }).reserved = reservedCheck(SPARK_EVENTS);
  return KernelSpark;
}
