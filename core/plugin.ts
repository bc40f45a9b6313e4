import { AllsparkError, ErrorCodes } from './errors';
import { satisfies } from './semver';
import { VERSION } from './version';
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
  /**
   * The allspark versions this plugin works with, as a semver range
   * (`'^0.1.0'`, `'>=0.1.0 <2'`, `'1.x || 2.x'`). `kernel.use` refuses the
   * plugin on any other version (`ALLSPARK_PLUGIN_VERSION`). Without it,
   * every version is accepted.
   */
  readonly allspark?: string;
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
  if (plugin.allspark !== undefined) checkVersion(plugin.name, plugin.allspark, VERSION);
  return plugin.name;
}

/** Refuse a plugin whose `allspark` range does not include `version` (this package's). */
export function checkVersion(name: string, range: unknown, version: string): void {
  let ok: boolean;
  try {
    if (typeof range !== 'string') throw new Error('it must be a string');
    ok = satisfies(version, range);
  } catch (err) {
    throw new AllsparkError(
      ErrorCodes.PLUGIN_INVALID,
      `Plugin "${name}" declares an invalid allspark version range ${JSON.stringify(range)}: ${(err as Error).message}`,
    );
  }
  if (!ok) {
    throw new AllsparkError(
      ErrorCodes.PLUGIN_VERSION,
      `Plugin "${name}" supports allspark ${range}, but this is allspark ${version}`,
    );
  }
}
