import { AllsparkError, ErrorCodes } from './errors';
import type { ServerContext } from './context';
import type { ClientPluginHalf } from './client/types';
import type { InputOf, NoOptions, OptionsSchema, OutputOf } from './schema';

export type { InputOf, OptionsSchema, OutputOf };

/**
 * What a plugin's server half may return: a teardown run when the kernel
 * closes or the plugin is removed (in reverse registration order).
 */
export type Teardown = void | (() => void | Promise<void>);

/**
 * A plugin declaration. Create one with {@link definePlugin} so that the
 * options type is inferred from the zod schema (zod 3.25+ or zod 4) and
 * never written twice.
 */
export interface PluginDefinition<Schema extends OptionsSchema = any, ClientOptions = any> {
  /** Unique name; used in error messages, dependencies and `before`/`after` ordering. */
  readonly name: string;
  /** zod schema for the options given to `kernel.use(plugin, options)`. Defaults live here. */
  readonly options?: Schema;
  /** Names of plugins that must be registered before this one. */
  readonly dependencies?: readonly string[];
  /** Server half: registers hooks and services. Runs when the plugin is used. */
  readonly server?: (ctx: ServerContext, options: OutputOf<Schema>) => Teardown;
  /** Client half: runs inside every client created from this server. */
  readonly client?: ClientPluginHalf<ClientOptions>;
  /**
   * Browser source that registers the client half in the generated library
   * (see `library()`); built-in plugins point at their prebuilt chunk.
   */
  readonly library?: string | (() => string);
  /**
   * Built-in plugins only: the folder (from the package root, e.g.
   * `transformers/websockets`) whose `browser.ts` is bundled into the
   * browser chunk `dist/browser/<folder>.js` that registers the client half.
   */
  readonly browser?: string;
  /**
   * Options the client half receives, derived from the validated server
   * options. Without it the client half gets `{}`, in Node and in browsers:
   * server options (keys, secrets) never reach clients unless asked for.
   */
  readonly clientOptions?: (options: OutputOf<Schema>) => ClientOptions;
}

/** Options type of a plugin, inferred from its schema. */
export type PluginOptions<P> = P extends PluginDefinition<infer S, any> ? InputOf<S> : never;

/**
 * Declare a plugin. The returned object is frozen; pass it to `kernel.use`.
 *
 * @example
 * const hello = definePlugin({
 *   name: 'hello',
 *   options: z.object({ greeting: z.string().default('hi') }),
 *   server(ctx, { greeting }) {
 *     ctx.hook('onConnection', (spark) => { spark.write(greeting); });
 *   },
 * });
 */
export function definePlugin<Schema extends OptionsSchema = NoOptions, ClientOptions = OutputOf<Schema>>(
  definition: PluginDefinition<Schema, ClientOptions>,
): PluginDefinition<Schema, ClientOptions> {
  return Object.freeze({ ...definition });
}

/** Check a declaration before registering it; returns its name. */
export function checkDefinition(plugin: PluginDefinition): string {
  if (plugin === null || typeof plugin !== 'object') {
    throw new AllsparkError(ErrorCodes.PLUGIN_INVALID, 'A plugin must be an object made with definePlugin()');
  }
  if (typeof plugin.name !== 'string' || plugin.name.length === 0) {
    throw new AllsparkError(ErrorCodes.PLUGIN_INVALID, 'A plugin needs a non-empty string name');
  }
  if (plugin.server !== undefined && typeof plugin.server !== 'function') {
    throw new AllsparkError(ErrorCodes.PLUGIN_INVALID, `The server half of plugin "${plugin.name}" must be a function`);
  }
  return plugin.name;
}
