import { EventEmitter } from 'node:events';
import { writeFile, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createKernel, type Kernel } from '../core/kernel';
import { definePlugin } from '../core/plugin';
import type { ServerContext } from '../core/context';
import { Spark } from '../core/spark';
import type { SocketClass } from '../core/client/factory';
import { fromPrimusTransform, type PrimusTransform, type PrimusTransformers, type TransformTarget } from '../core/transforms';
import { validateOptions } from '../core/options';
import { ErrorCodes, PrimusError } from '../core/errors';
import { emits, reservedCheck, type EmitsParser, type ReservedCheck } from '../core/emits';
import { Slots } from '../core/slots';
import { specOf } from '../plugins/spec';
import { clusterOf, type Cluster } from '../plugins/cluster';
import { LIBRARY, type LibraryService } from '../plugins/client-library/token';
import { KNOWN_PRIMUS_OPTIONS, PrimusOptionsSchema, type PrimusOptions, type ResolvedPrimusOptions } from './options';
import { warnTypos } from './typos';
import { parserPlugin, type PrimusParser } from './tables';
import { primusPreset } from './preset';
import { firstPartyPlugins } from './first-party';
import { emitAwaiting } from './events';
import { PrimusHttp } from './http-api';
import { primusParserOf } from './parser-view';
import { checkPrimusPlugin, kernelNameOf, kernelPluginFor, primusPluginsOf, primusSocketClass, type PrimusPlugin } from './ark';
import { clientConfig } from '../core/client-config';
import { addPrototypeHelpers, installInitialise, installTransforms, primusSparkClass, PrimusSparkStatic, type SparkFactory } from './spark-class';
import { CustomTransformerServer, Transformer } from './transformer';

import { VERSION } from '../core/version';
const RESERVED = ['disconnection', 'initialised', 'connection', 'plugout', 'plugin', 'close', 'log'];

/** Options of {@link Primus.destroy}. */
export interface DestroyOptions {
  /** Close the HTTP server too. Default true. */
  close?: boolean;
  /** End sparks without the close message so clients reconnect (implies `close`). Default false. */
  reconnect?: boolean;
  /** ms to wait before acting. Default 0. */
  timeout?: number;
}

/**
 * Drop-in for Primus 8's server: `new Primus(server, options)` with
 * Primus's option names, events and methods, built as a preset of kernel
 * plugins. `use` adds HTTP middleware and `plugin` adds a plugin, as in
 * Primus (on the kernel, `use` adds a plugin).
 */
export class Primus extends PrimusHttp {
  /** The Spark class; `new Primus.Spark(primus, headers, address, query, id, request)` builds a spark of `primus`. */
  static readonly Spark = PrimusSparkStatic;
  /** Base class of custom transformers written for Primus: `Primus.Transformer.extend({ server, client, library })`. */
  static readonly Transformer = Transformer;
  /** The kernel behind this server. */
  readonly kernel: Kernel;
  /** The validated options (a copy; the caller's object is not mutated). */
  readonly options: ResolvedPrimusOptions;
  readonly server: Server;
  readonly pathname: string;
  readonly version = VERSION;
  /** Primus-style plugins by name. */
  readonly ark: Record<string, PrimusPlugin> = Object.create(null);
  /** Message transforms added with `transform()`. */
  readonly transformers: { incoming: PrimusTransform<Spark>[]; outgoing: PrimusTransform<Spark>[] } = {
    incoming: [],
    outgoing: [],
  };
  #ctx!: ServerContext;
  #socket: SocketClass | undefined;
  #spark: (typeof Spark & SparkFactory) | undefined;
  #destroyed = false;

  constructor(server: Server, options: PrimusOptions = {}) {
    super();
    if (!server || typeof server !== 'object') {
      throw new PrimusError('The first argument of the constructor must be an HTTP or HTTPS server instance');
    }
    if (options && 'timeout' in options) throw new PrimusError('The `timeout` option has been removed');
    const o = validateOptions(PrimusOptionsSchema, options, 'Primus', ErrorCodes.OPTIONS);
    // On the next tick, so `log` listeners added after construction hear it.
    warnTypos(options, KNOWN_PRIMUS_OPTIONS, (message) => process.nextTick(() => this.emit('log', 'warn', message)));
    // Checked before anything is built: a bad `rooms`/`events` option leaves nothing behind.
    const firstParty = firstPartyPlugins(o);
    this.options = o;
    this.server = server;
    this.pathname = o.pathname;
    const kernel = createKernel({
      pathname: o.pathname,
      maxLength: o.maxLength,
      maxBuffered: o.maxBuffered,
      overflow: o.overflow,
      maxConnections: o.maxConnections,
      handshakeTimeout: o.handshakeTimeout,
      fdCheckInterval: o.fdCheckInterval,
      idGenerator: o.idGenerator,
      keepRequest: o.keepRequest,
    });
    this.kernel = kernel;
    kernel.on('log', (level, ...args) => this.emit('log', level, ...args));
    kernel.on('overflow', (spark, err, buffered) => this.emit('overflow', spark, err, buffered));
    kernel.on('overload', (err) => this.emit('overload', err));
    // A plugin's event users expect on the server object (the continuity plugin's resumes and losses).
    kernel.on('continuity', (spark, info) => this.emit('continuity', spark, info));
    kernel.on('plugin', () => (this.#socket = undefined));
    kernel.on('plugout', () => (this.#socket = undefined));

    for (const [plugin, pluginOptions] of primusPreset(o, this, firstParty)) kernel.use(plugin, pluginOptions as never);
    this.layers$.self = this;
    kernel.use(
      definePlugin({
        name: 'primus',
        server: (ctx) => {
          this.#ctx = ctx;
          // Primus code reads `spark.primus`.
          const primus = this;
          ctx.decorateSpark('primus', { get: () => primus });
          const initialise = installInitialise(ctx);
          installTransforms(ctx);
          addPrototypeHelpers(kernel.Spark);
          ctx.hook('onConnection', (spark) => {
            initialise(spark);
            return emitAwaiting(this, 'connection', spark);
          });
          ctx.hook('onDisconnection', (spark) => void this.emit('disconnection', spark));
        },
      }),
    );
    kernel.attach(server);

    for (const [name, plugin] of primusPluginsOf(o.plugin)) this.plugin(name, plugin as PrimusPlugin);
    process.nextTick(() => this.emit('initialised', this.transformer, this.parser, this.options));
  }

  // ---- properties -------------------------------------------------------------------

  /** The transformer in use; for a custom Primus transformer, its instance (as in Primus). */
  get transformer() {
    const t = this.kernel.transformer;
    return t instanceof CustomTransformerServer ? t.instance : t;
  }
  /** The parser as Primus shows it: the custom object given, or `{ name, binary, encoder, decoder, library }`. */
  get parser(): PrimusParser & { name?: string } {
    return primusParserOf(this.kernel);
  }
  /** `{ pingInterval, pathname, version, parser, transformer }`, as served at `<pathname>/spec`. */
  get spec() {
    return specOf(this.kernel, VERSION);
  }
  /** Open sparks by id (a snapshot object, as Primus's `connections`). */
  get connections(): Record<string, Spark> {
    return Object.assign(Object.create(null), Object.fromEntries(this.kernel.connections));
  }
  /** Number of open sparks. */
  get connected(): number {
    return this.kernel.connected;
  }
  /**
   * This server's own Spark class: what plugins add to `primus.Spark.prototype`
   * (methods, `initialise`) reaches this server's sparks only. `new primus.Spark(headers,
   * address, query, id, request, socket)` builds a connected spark, as Primus's does.
   */
  get Spark(): typeof Spark & SparkFactory {
    return (this.#spark ??= primusSparkClass(this.kernel));
  }
  /** The cluster (live nodes, send-to-spark, presence) when the `cluster` option is set; undefined otherwise. */
  get cluster(): Cluster | undefined {
    return clusterOf(this.kernel);
  }
  /** Trusted proxy addresses, when `trustProxy` lists them (Primus's `whitelist`). */
  get whitelist(): string[] {
    const trust = this.options.trustProxy;
    return Array.isArray(trust) ? [...trust] : [];
  }
  /** Primus's `encoder(data, fn)`: the parser's encoder, `fn(err, frame)`. */
  get encoder(): PrimusParser['encoder'] {
    return this.parser.encoder;
  }
  /** Primus's `decoder(frame, fn)`: the parser's decoder, `fn(err, data)`. */
  get decoder(): PrimusParser['decoder'] {
    return this.parser.decoder;
  }
  /** The Node client class for this server (rebuilt only when plugins change). */
  get Socket(): SocketClass {
    return (this.#socket ??= primusSocketClass(clientConfig(this.kernel), Object.values(this.ark)));
  }

  // ---- messages ---------------------------------------------------------------------

  /** Broadcast to every spark; the message is encoded once. */
  write(data: unknown): boolean {
    return this.kernel.write(data);
  }

  /**
   * `forEach(fn)`: call `fn(spark, id, connections)` for each spark, `false` stops.
   * `forEach(fn, done)`: async walk, `fn(spark, next)`; sparks connecting meanwhile are included.
   */
  forEach(fn: (spark: Spark, ...rest: any[]) => unknown, done?: (err?: unknown) => void): this {
    if (!done) {
      // One snapshot for the whole walk: `connections` copies the table on every read.
      const connections = this.connections;
      this.kernel.forEach((spark, id) => fn(spark, id, connections));
      return this;
    }
    const walk = this.kernel.connections.values();
    const next = (err?: unknown, more?: boolean): void => {
      if (err || more === false) return done(err ?? undefined);
      const step = walk.next();
      if (step.done) return done();
      fn(step.value, next);
    };
    next();
    return this;
  }

  /** The spark with this id. */
  spark(id: string): Spark | undefined {
    return this.kernel.spark(id);
  }

  /** Add a message transform for every spark: `fn(packet)` or `fn(packet, next)`. */
  transform(type: 'incoming' | 'outgoing', fn: PrimusTransform<Spark>): this {
    if (type !== 'incoming' && type !== 'outgoing') throw new PrimusError('Invalid transformer type');
    if (this.transformers[type].includes(fn)) return this;
    this.transformers[type].push(fn);
    this.#ctx.hook(type === 'incoming' ? 'onMessage' : 'onSend', fromPrimusTransform(fn));
    return this;
  }

  /**
   * Primus's `emits(event, parser?)` on the server: a function that re-emits
   * its arguments as `event` on this server (plugins such as metroplex and
   * omega-supreme call it while they load).
   */
  emits(event: string, parser?: EmitsParser): (...args: unknown[]) => void {
    return emits(this, event, parser);
  }

  /** Is this event name reserved for Primus itself? This server's own list: plugins extend `reserved.events`. */
  readonly reserved: ReservedCheck = reservedCheck(RESERVED);

  /** Replace the parser at runtime (Primus's `parsers(parser)`): new messages use it; the library follows. */
  parsers(parser: string | PrimusParser): this {
    const current = this.kernel.registry.ownerOf(Slots.parser);
    const next = parserPlugin(parser);
    if (current) this.kernel.plugout(current);
    this.kernel.use(next);
    return this;
  }

  // ---- plugins and the client library ---------------------------------------------------

  /** `plugin(name, plugin)` adds a Primus plugin; `plugin(name)` gets one; `plugin()` gets all. */
  plugin(name?: string | PrimusPlugin, energon?: PrimusPlugin | string): any {
    if (name === undefined) return this.ark;
    if (typeof name === 'object' && energon === undefined) {
      energon = name;
      name = (name as { name?: string }).name as string;
    }
    if (typeof name === 'string' && name !== '' && energon === undefined) return this.ark[name];
    const plugin = checkPrimusPlugin(name, energon);
    if (this.ark[name as string]) throw new PrimusError('Plugin name already defined');
    this.ark[name as string] = plugin;
    this.emit('plugin', name as string, plugin);
    this.kernel.use(kernelPluginFor(name as string, plugin));
    plugin.server?.call(this, this, this.options);
    return this;
  }

  /** Remove a Primus plugin; false when unknown. */
  plugout(name: string): boolean {
    const plugin = this.ark[name];
    if (!plugin) return false;
    this.emit('plugout', name, plugin);
    delete this.ark[name];
    this.kernel.plugout(kernelNameOf(name));
    return true;
  }

  /** The browser client library (served at `<pathname>/primus.js`). */
  library(): string {
    const service = this.kernel.registry.lookup<LibraryService>(LIBRARY);
    if (!service) throw new PrimusError('No client library: the client-library plugin is not in use');
    return service.source();
  }

  /** Write the library to `path` (sync without a callback). */
  save(path: string, cb?: (err: NodeJS.ErrnoException | null) => void): this {
    if (cb) writeFile(path, this.library(), 'utf-8', cb);
    else writeFileSync(path, this.library(), 'utf-8');
    return this;
  }

  // ---- shutdown -------------------------------------------------------------------------

  /** Stop serving: end sparks, close the HTTP server (unless `close: false`), emit `close`. */
  destroy(options?: DestroyOptions | ((err?: unknown) => void), cb?: (err?: unknown) => void): this {
    if (typeof options === 'function') {
      cb = options;
      options = {};
    }
    const o = options ?? {};
    if (this.#destroyed) {
      cb?.();
      return this;
    }
    this.#destroyed = true;
    const run = async (): Promise<void> => {
      await this.kernel.close({ reconnect: o.reconnect });
      // Primus's transformer emits a final `close` (a custom one did so while closing).
      const transformer: unknown = this.transformer;
      if (transformer instanceof EventEmitter && !(transformer instanceof Transformer)) transformer.emit('close', o);
      if (o.reconnect || o.close !== false) closeServer(this.server);
      await emitAwaiting(this, 'close', o);
      this.removeAllListeners();
    };
    const start = (): void => {
      run().then(() => cb?.(), (err) => {
        if (cb) cb(err);
        else throw err;
      });
    };
    if (o.timeout) setTimeout(start, o.timeout);
    else start();
    return this;
  }

  /** Alias of {@link destroy}. */
  end(options?: DestroyOptions, cb?: (err?: unknown) => void): this {
    return this.destroy(options, cb);
  }

}

/**
 * Stop `server` listening and close its idle keep-alive connections. Like
 * Primus, this does not wait for busy connections to finish: `destroy` calls
 * back promptly whatever half-open clients still hold (sparks are ended
 * already), and a server that was not listening is fine.
 */
function closeServer(server: Server): void {
  try {
    server.close();
    (server as Server & { closeIdleConnections?: () => void }).closeIdleConnections?.();
  } catch {
    // not listening: nothing to close
  }
}

declare module '../core/spark' {
  interface SparkDecorations {
    /** The Primus facade this spark belongs to (only on facade sparks). */
    readonly primus?: Primus;
    /** Primus's `transforms(owner, connection, type, data, raw)` (only on facade sparks). */
    readonly transforms?: (
      owner: { transformers?: PrimusTransformers },
      connection: TransformTarget,
      type: 'incoming' | 'outgoing',
      data: unknown,
      raw?: unknown,
    ) => Spark;
  }
}
