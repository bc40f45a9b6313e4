import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import type { ServerContext } from '../../core/context';
import { Layers, type Layer, type Placement } from './layers';

/** Registry token of the {@link Layers} stack. */
export const MIDDLEWARE = Symbol('middleware');

/**
 * HTTP middleware in Primus's model: a named, ordered stack of layers run
 * for every request and upgrade under the pathname, before the transformer.
 * Built-in layers (forwarded, cors, spec, no-cache, …) are plugins that add
 * themselves here; the Primus facade's `use/remove/enable/disable` edit it.
 */
export const middleware = definePlugin({
  name: 'middleware',
  options: z.object({}).strict(),
  server(ctx) {
    const layers = new Layers();
    ctx.provide(MIDDLEWARE, layers);
    // The layers say what they do to the request (`plainRequest`, else `exposeRequest`), so the hooks vouch for it.
    ctx.hook('onRequest', (req, res, next) => layers.run('http', req, res, next), { plainRequest: true });
    ctx.hook('onUpgrade', (req, socket, _head, next) => layers.run('upgrade', req, socket, next), { plainRequest: true });
    // What a plugin added through `addLayer` goes with it, like its hooks and services.
    const forget = (plugin: string): void => layers.removeOwnedBy(plugin);
    ctx.kernel.on('plugout', forget);
    return () => void ctx.kernel.off('plugout', forget);
  },
});

/**
 * Add a named layer from another plugin's server half (that plugin must
 * depend on `middleware`). It is removed when that plugin is plugged out.
 */
export function addLayer(ctx: ServerContext, name: string, fn: Layer['fn'], placement?: Placement): void {
  ctx.lookup<Layers>(MIDDLEWARE)!.add(name, fn, placement, ctx.plugin);
}

export { Layers, type Layer, type LayerFn, type Placement } from './layers';
export { lockHeader } from './lock';
