import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Next } from '../../core/hooks';
import type { KernelRequest } from '../../core/http';
import { AllsparkError, ErrorCodes } from '../../core/errors';

/**
 * An HTTP middleware layer in Primus's form. Declared arity 2 `(req, res)`
 * is synchronous and a truthy return means "handled"; arity 3 or more gets
 * `next`. `fn.http === false` / `fn.upgrade === false` skip a request type.
 */
export type LayerFn = ((req: KernelRequest, res: any) => unknown) | ((req: KernelRequest, res: any, next: Next) => void);

export interface Layer {
  name: string;
  fn: LayerFn & { http?: boolean; upgrade?: boolean };
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

  /** Run the enabled layers for a request of `kind`; `done()` when all passed, `done(err)` on failure. */
  run(kind: 'http' | 'upgrade', req: IncomingMessage, res: ServerResponse | Duplex, done: Next): void {
    const layers = this.list.slice();
    let i = 0;
    const next: Next = (err) => {
      if (err !== undefined && err !== null) return done(err);
      while (i < layers.length) {
        const layer = layers[i++];
        if (!layer.enabled || layer.fn[kind] === false) continue;
        try {
          if (layer.fn.length < 3) {
            if ((layer.fn as (req: IncomingMessage, res: unknown) => unknown).call(this.self, req, res)) return;
            continue;
          }
          (layer.fn as (req: IncomingMessage, res: unknown, next: Next) => void).call(this.self, req, res, next);
        } catch (e) {
          done(e);
        }
        return;
      }
      done();
    };
    next();
  }
}
