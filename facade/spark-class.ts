import type { ServerContext } from '../core/context';
import type { Spark } from '../core/spark';
import { primusTransforms, type PrimusTransformers, type TransformTarget } from '../core/transforms';

type Initialise = (this: Spark) => void;

function initialiseNothing(): void {}

/**
 * Primus's `Spark.prototype.initialise`, on one server's own Spark class
 * (`primus.Spark`): assigning a function adds it to the list every new
 * spark runs before `connection` is emitted, and reading it gives the last
 * one added. Plugins written for Primus set up per-spark state this way
 * (`primus.Spark.prototype.initialise = function () { this.rooms = new Set(); }`).
 */
export function installInitialise(ctx: ServerContext): void {
  const list: Initialise[] = [];
  // Primus code tests and edits the list itself (`if (!this.__initialise) …`).
  ctx.decorateSpark('__initialise', { value: list });
  ctx.decorateSpark('initialise', {
    get: () => list[list.length - 1] ?? initialiseNothing,
    set: (fn: unknown) => {
      if (typeof fn === 'function') list.push(fn as Initialise);
    },
  });
  ctx.hook('onConnection', (spark) => {
    for (let i = 0; i < list.length; i++) list[i].call(spark);
  });
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
