import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Next } from '../../core/hooks';
import type { KernelRequest } from '../../core/http';
import { AllsparkError, ErrorCodes } from '../../core/errors';
import { exposeRequest } from '../../core/request';

/**
 * An HTTP middleware layer in Primus's form. Declared arity 2 `(req, res)`
 * is synchronous and a truthy return means "handled"; arity 3 or more gets
 * `next`. `fn.http === false` / `fn.upgrade === false` skip a request type.
 * `fn.plainRequest === true` (plugins' own layers) promises that the layer
 * adds to `req` only enumerable string-keyed properties and calls
 * `exposeRequest(req)` before handing it to other code; any other layer
 * may add anything, so `spark.request` then copies every own key.
 */
export type LayerFn = ((req: KernelRequest, res: any) => unknown) | ((req: KernelRequest, res: any, next: Next) => void);

export interface Layer {
  name: string;
  fn: LayerFn & { http?: boolean; upgrade?: boolean; plainRequest?: boolean };
  enabled: boolean;
  /** How many arguments `fn` declares (2: answers itself, 3: calls `next`), as Primus's layers record it. */
  length: number;
  /** The plugin that added it (`addLayer`): its layers go when it is plugged out. */
  owner?: string;
}

/** Where to put a new layer: by name (`before`/`after`) or, for Primus compatibility, by index. */
export interface Placement {
  before?: string;
  after?: string;
  index?: number;
}

/**
 * The ordered middleware stack. Same name replaces in place; otherwise
 * the layer goes before/after a named layer, at an index, or last.
 */
export class Layers {
  readonly list: Layer[] = [];
  /** `this` for layer functions (the Primus facade sets itself). */
  self: unknown = undefined;

  add(name: string, fn: Layer['fn'], placement: Placement = {}, owner?: string): void {
    // A bad layer would answer every request and upgrade with 500; refuse it where it is added.
    if (typeof name !== 'string' || name === '') {
      throw new AllsparkError(ErrorCodes.PLUGIN_INVALID, `A middleware layer needs a non-empty string name, got ${typeof name}`);
    }
    if (typeof fn !== 'function' || fn.length < 2) {
      throw new AllsparkError(ErrorCodes.PLUGIN_INVALID, `Middleware layer "${name}" must be a function that accepts at least 2 args`);
    }
    const existing = this.indexOf(name);
    const length = fn.length;
    const layer: Layer = owner === undefined ? { name, fn, enabled: true, length } : { name, fn, enabled: true, length, owner };
    if (existing !== -1) {
      this.list[existing] = layer;
      return;
    }
    let at = this.list.length;
    if (placement.before !== undefined && this.indexOf(placement.before) !== -1) at = this.indexOf(placement.before);
    else if (placement.after !== undefined && this.indexOf(placement.after) !== -1) at = this.indexOf(placement.after) + 1;
    else if (placement.index !== undefined && placement.index >= 0 && placement.index < this.list.length) at = placement.index;
    this.list.splice(at, 0, layer);
  }

  remove(name: string): void {
    const i = this.indexOf(name);
    if (i !== -1) this.list.splice(i, 1);
  }

  /** Remove every layer `plugin` added. */
  removeOwnedBy(plugin: string): void {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i].owner === plugin) this.list.splice(i, 1);
  }

  enable(name: string): void {
    const i = this.indexOf(name);
    if (i !== -1) this.list[i].enabled = true;
  }

  disable(name: string): void {
    const i = this.indexOf(name);
    if (i !== -1) this.list[i].enabled = false;
  }

  indexOf(name: string): number {
    return this.list.findIndex((layer) => layer.name === name);
  }

  /**
   * Run the enabled layers for a request of `kind`; `done()` when all passed, `done(err)` on failure.
   * Layers run from a snapshot of the list, so one that edits the stack affects the next request.
   * Synchronous layers run in a loop; the continuation closure is made only for a layer that takes `next`.
   */
  run(kind: 'http' | 'upgrade', req: IncomingMessage, res: ServerResponse | Duplex, done: Next): void {
    runFrom(this.list.slice(), 0, this.self, kind, req, res, done);
  }
}

function runFrom(
  layers: readonly Layer[],
  from: number,
  self: unknown,
  kind: 'http' | 'upgrade',
  req: IncomingMessage,
  res: ServerResponse | Duplex,
  done: Next,
): void {
  for (let i = from; i < layers.length; i++) {
    const layer = layers[i];
    const fn = layer.fn;
    if (!layer.enabled || fn[kind] === false) continue;
    if (fn.plainRequest !== true) exposeRequest(req);
    try {
      if (fn.length < 3) {
        if ((fn as (req: IncomingMessage, res: unknown) => unknown).call(self, req, res)) return;
        continue;
      }
      const next = i + 1;
      (fn as (req: IncomingMessage, res: unknown, next: Next) => void).call(self, req, res, (err?: unknown) => {
        if (err !== undefined && err !== null) done(err);
        else runFrom(layers, next, self, kind, req, res, done);
      });
    } catch (e) {
      done(e);
    }
    return;
  }
  done();
}
