import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import type { ServerContext } from '../core/context';
import type { KernelRequest } from '../core/http';
import type { Kernel } from '../core/kernel';
import { Spark } from '../core/spark';
import type { Frame } from '../core/types';
import { exposeRequest } from '../core/request';
import { primusTransforms, type PrimusTransformers, type TransformTarget } from '../core/transforms';

type Initialise = (this: Spark) => void;

function initialiseNothing(): void {}

/** An `initialise` accessor over `list`: reading gives the last function, assigning one adds it. */
function initialiseAccessor(list: Initialise[], fallback: () => Initialise): PropertyDescriptor {
  return {
    get: () => list[list.length - 1] ?? fallback(),
    set: (fn: unknown) => {
      if (typeof fn === 'function') list.push(fn as Initialise);
    },
  };
}

/**
 * `Primus.Spark.prototype.initialise`: functions added there run for the
 * sparks of every server, as on Primus's shared prototype (its list starts
 * with Primus's own set-up step; ours does nothing).
 */
const sharedInitialise: Initialise[] = [initialiseNothing];
Object.defineProperty(Spark.prototype, '__initialise', { value: sharedInitialise, configurable: true });
Object.defineProperty(Spark.prototype, 'initialise', {
  configurable: true,
  ...initialiseAccessor(sharedInitialise, () => initialiseNothing),
});

/**
 * Primus's `Spark.prototype.initialise`, on one server's own Spark class
 * (`primus.Spark`): assigning a function adds it to the list every new
 * spark runs before `connection` is emitted (after the shared ones), and
 * reading it gives the last one added. Plugins written for Primus set up
 * per-spark state this way
 * (`primus.Spark.prototype.initialise = function () { this.rooms = new Set(); }`).
 * Returns what runs the list for a new spark: the caller calls it from its
 * own `onConnection` hook (one hook call per connection instead of two).
 */
export function installInitialise(ctx: ServerContext): (spark: Spark) => void {
  const list: Initialise[] = [];
  // Primus code tests and edits the list itself (`if (!this.__initialise) …`).
  ctx.decorateSpark('__initialise', { value: list }, { override: true });
  ctx.decorateSpark(
    'initialise',
    initialiseAccessor(list, () => sharedInitialise[sharedInitialise.length - 1] ?? initialiseNothing),
    { override: true },
  );
  return (spark) => {
    for (let i = 0; i < sharedInitialise.length; i++) sharedInitialise[i].call(spark);
    for (let i = 0; i < list.length; i++) list[i].call(spark);
  };
}

const DESCRIPTOR_KEYS = new Set(['configurable', 'enumerable', 'get', 'set', 'value', 'writable']);

/** Is `value` meant as a property descriptor (only descriptor keys, not both data and accessor)? */
function isDescriptor(value: unknown): value is PropertyDescriptor {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const d = value as PropertyDescriptor;
  if (('value' in d || 'writable' in d) && (typeof d.get === 'function' || typeof d.set === 'function')) return false;
  return keys.length > 0 && keys.every((key) => DESCRIPTOR_KEYS.has(key));
}

/** `Spark.writable(name, value)`-style definer on `target` (the `predefine` package's rules). */
function definer(target: object, pattern: PropertyDescriptor) {
  return function define(name: PropertyKey, value: unknown): unknown {
    const existing = Object.getOwnPropertyDescriptor(target, name);
    if (existing && !existing.configurable) return define;
    // As predefine: an object is a descriptor only if it still is one with the pattern mixed in
    // (`writable(name, { get })` defines the object itself, since a getter cannot be writable).
    const described = isDescriptor(value) && isDescriptor({ ...pattern, ...value }) ? value : { value };
    Object.defineProperty(target, name, { ...pattern, ...described });
    return define;
  };
}

/**
 * The statics Primus's Spark has for extending its prototype (from
 * `fusing`): `writable(name, value)` (non-enumerable, writable),
 * `readable(name, value)` (non-enumerable, read-only), `get(name, getter)`
 * and `set(name, getter, setter)`. On a server's own class they change that
 * server's sparks only; Primus's wrote to the shared prototype.
 */
export function addPrototypeHelpers(SparkClass: Function): void {
  const proto = SparkClass.prototype as object;
  Object.assign(SparkClass, {
    writable: definer(proto, { configurable: true, enumerable: false, writable: true }),
    readable: definer(proto, { configurable: false, enumerable: false, writable: false }),
    get: function getter(name: PropertyKey, get: () => unknown) {
      Object.defineProperty(proto, name, { configurable: false, enumerable: false, get });
      return getter;
    },
    set: function setter(name: PropertyKey, get: () => unknown, set: (value: unknown) => void) {
      Object.defineProperty(proto, name, { configurable: false, enumerable: false, get, set });
      return setter;
    },
  });
}

/**
 * Primus's `spark.transforms(owner, connection, type, data, raw)`: run
 * `owner`'s transforms (the Primus server's `transformers`) on `data` for
 * `connection`, then emit or `_write` it there. Plugins that carry virtual
 * connections over one spark route their messages through it (substream).
 */
export function installTransforms(ctx: ServerContext): void {
  ctx.decorateSpark('transforms', {
    value(this: Spark, owner: { transformers?: PrimusTransformers }, connection: TransformTarget, type: 'incoming' | 'outgoing', data: unknown, raw?: unknown): Spark {
      primusTransforms(owner, connection, type, data, raw);
      return this;
    },
  });
}

/** Primus's Spark constructor signature: `new primus.Spark(headers, address, query, id, request, socket)`. */
export type SparkFactory = new (
  headers?: unknown,
  address?: unknown,
  query?: unknown,
  id?: string | null,
  request?: unknown,
  socket?: unknown,
) => Spark;

const LINE_SEPARATORS = /[\u2028\u2029]/;

/**
 * A text frame as Primus hands it to transformer code: U+2028/U+2029
 * escaped, since such code may evaluate it (JSONP and the like). Only
 * sparks of Primus's transport events pay for this scan; the built-in
 * transformers send frames as encoded (docs/differences.md).
 */
function primusFrame(frame: Frame): Frame {
  if (typeof frame !== 'string' || !LINE_SEPARATORS.test(frame)) return frame;
  return frame.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function textOf(frame: Frame): Frame {
  return typeof frame === 'string' ? frame : Buffer.from(frame as Uint8Array).toString();
}

/** The request a spark built without one stands on: its headers and query, nothing else. */
function bareRequest(headers: IncomingHttpHeaders, query: ParsedUrlQuery): KernelRequest {
  return { method: 'GET', url: '/', httpVersion: '1.1', headers, query } as unknown as KernelRequest;
}

/**
 * Make kernel sparks with Primus's constructor signature. They speak
 * Primus's transport events: what the spark sends comes out as
 * `outgoing::data` / `outgoing::end`, what arrives goes in as
 * `incoming::data` / `incoming::error` / `incoming::end` / `incoming::pong`.
 * Custom transformers (`this.Spark`) and code that builds sparks directly
 * (`new primus.Spark()`) use it; every argument may be left out.
 */
export function sparkFactory(kernel: Kernel): SparkFactory {
  return function PrimusSpark(headers?: unknown, address?: unknown, query?: unknown, id?: string | null, request?: unknown, socket?: unknown) {
    const parsed = (typeof query === 'string' ? parseQuery(query) : (query as ParsedUrlQuery | undefined)) ?? {};
    const given = (headers as IncomingHttpHeaders | undefined) ?? {};
    const remote = address as { remoteAddress?: string; remotePort?: number } | undefined;
    // A request from the caller's code may carry anything: `spark.request` copies every own key.
    if (request !== null && typeof request === 'object') exposeRequest(request);
    const send = (frame: Frame): boolean => spark.emit('outgoing::data', primusFrame(frame)) || true;
    const spark: Spark = kernel.connect({
      transport: {
        send,
        // A broadcast is prepared for the real transformer (a Buffer for `ws`): a text parser's frame goes out as text.
        sendPrepared: (prepared) => send(kernel.parser.binary ? prepared.frame : textOf(prepared.frame)),
        close: () => void spark.emit('outgoing::end'),
      },
      request: (request as KernelRequest | undefined) ?? bareRequest(given, parsed),
      socket,
      id: id ?? undefined,
      headers: given,
      query: parsed,
      remote: remote?.remoteAddress ? { ip: remote.remoteAddress, port: remote.remotePort ?? 0 } : undefined,
    });
    spark.on('incoming::data', (raw: Frame) => spark.receive(raw));
    spark.on('incoming::error', (err: unknown) => spark.transportError(err));
    spark.on('incoming::end', () => spark.transportClosed());
    spark.on('incoming::pong', () => void (spark.alive = true));
    return spark;
  } as unknown as SparkFactory;
}

/**
 * `primus.Spark`: this server's own Spark class (plugins extend its
 * prototype) that `new` builds with Primus's signature, as Primus's
 * pre-bound constructor does.
 */
export function primusSparkClass(kernel: Kernel): typeof Spark & SparkFactory {
  const make = sparkFactory(kernel);
  return new Proxy(kernel.Spark as typeof Spark & SparkFactory, {
    construct: (_Target, args: ConstructorParameters<SparkFactory>) => new make(...args),
  });
}

/**
 * `Primus.Spark`: the Spark class; `new Primus.Spark(primus, headers, …)`
 * builds a spark of that server, as Primus's constructor does.
 */
export const PrimusSparkStatic: typeof Spark = new Proxy(Spark, {
  construct(Target, args: unknown[], newTarget) {
    const owner = args[0] as { Spark?: unknown; kernel?: unknown } | undefined;
    if (owner && typeof owner.Spark === 'function' && owner.kernel) {
      return new (owner.Spark as SparkFactory)(...(args.slice(1) as ConstructorParameters<SparkFactory>));
    }
    return Reflect.construct(Target, args, newTarget);
  },
});

declare module '../core/events' {
  /** Primus's transport events, between a custom transformer and its sparks (spec §2.10). */
  interface SparkEvents {
    'outgoing::data': [frame: Frame];
    'outgoing::end': [];
    'incoming::data': [frame: Frame];
    'incoming::error': [err: unknown];
    'incoming::end': [];
  }
}
