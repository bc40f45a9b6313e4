import { EventEmitter } from 'node:events';
import type { WithEvents } from '../core/events';
import type { PrimusEvents } from './events';
import type { Kernel } from '../core/kernel';
import { PrimusError } from '../core/errors';
import { reconnect } from '../plugins/reconnect';
import { MIDDLEWARE, type Layers, type LayerFn } from '../plugins/middleware';
import { AUTHORIZATION, type AuthorizationState, type Authorizer } from '../plugins/authorization';
import { strategyFor } from './preset';

/**
 * The HTTP side of the Primus facade: middleware layers (`use`, `before`,
 * `remove`, `enable`, `disable`, `indexOfLayer`) and the authorizer, with
 * Primus 8's argument handling and error messages.
 */
export abstract class PrimusHttp extends (EventEmitter as WithEvents<typeof EventEmitter, PrimusEvents>) {
  /** The kernel behind this server. */
  abstract readonly kernel: Kernel;
  #anonymous = 0;

  /** The current authorizer, if any. */
  get auth(): Authorizer | null {
    return this.kernel.registry.lookup<AuthorizationState>(AUTHORIZATION)?.authorize ?? null;
  }
  /** The middleware layers, in order. */
  get layers() {
    return this.layers$.list;
  }
  protected get layers$(): Layers {
    return this.kernel.registry.lookup<Layers>(MIDDLEWARE)!;
  }
  /** Set the authorizer `(req, done)`; rejected handshakes get 401 (or `err.statusCode`). */
  authorize(fn: Authorizer): this {
    if (typeof fn !== 'function') throw new PrimusError('Authorize only accepts functions');
    if (fn.length < 2) throw new PrimusError('Authorize function requires more arguments');
    this.kernel.registry.lookup<AuthorizationState>(AUTHORIZATION)!.authorize = fn;
    // Rejected clients should end, not retry on a timer: drop `timeout` from the default strategy.
    this.kernel.plugout('reconnect');
    this.kernel.use(reconnect, { strategy: strategyFor(true) });
    return this;
  }

  /** Add HTTP middleware: `use([name], fn, [options], [index])` (Primus semantics). */
  use(name: string | LayerFn, fn?: LayerFn | unknown, options?: unknown, index?: number): this {
    if (typeof name === 'function') {
      index = options as number | undefined;
      options = fn;
      fn = name;
      name = (fn as LayerFn).name || `pid_${Date.now()}_${this.#anonymous++}`;
    }
    if (typeof options === 'number') {
      index = options;
      options = {};
    }
    let layer = fn as LayerFn;
    if (typeof layer === 'function' && layer.length < 2) {
      layer = (layer as (this: PrimusHttp, o: unknown) => LayerFn).call(this, options ?? {});
    }
    if (typeof layer !== 'function' || layer.length < 2) {
      throw new PrimusError('Middleware should be a function that accepts at least 2 args');
    }
    this.layers$.add(name, layer, { index });
    return this;
  }

  /** Insert middleware before the layer named `before`. */
  before(before: string, name: string, fn: LayerFn): this {
    if (typeof fn !== 'function' || fn.length < 2) {
      throw new PrimusError('Middleware should be a function that accepts at least 2 args');
    }
    this.layers$.add(name, fn, { before });
    return this;
  }

  remove(name: string): this {
    this.layers$.remove(name);
    return this;
  }
  enable(name: string): this {
    this.layers$.enable(name);
    return this;
  }
  disable(name: string): this {
    this.layers$.disable(name);
    return this;
  }
  indexOfLayer(name: string): number {
    return this.layers$.indexOf(name);
  }
}
