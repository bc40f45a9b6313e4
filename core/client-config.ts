import type { Kernel } from './kernel';
import { checkDefinition, type PluginDefinition } from './plugin';
import { NO_OPTIONS, validateOptions } from './options';
import type { ClientConfig } from './client/types';
import { socketClass, type SocketClass } from './client/factory';

/** The options `definition`'s client half gets: `clientOptions(options)`, or `{}` without it. */
export function clientOptionsOf(definition: PluginDefinition, options: unknown): unknown {
  return definition.clientOptions ? definition.clientOptions(options as never) : {};
}

/** The client configuration a kernel implies: its pathname and its plugins' client halves. */
export function clientConfig(kernel: Kernel): ClientConfig {
  const plugins: Array<ClientConfig['plugins'][number]> = [];
  for (const { definition, options } of kernel.plugins()) {
    if (!definition.client) continue;
    plugins.push({
      name: definition.name,
      half: definition.client,
      options: clientOptionsOf(definition, options),
    });
  }
  return { pathname: kernel.options.pathname, plugins };
}

/**
 * The client configuration of `plugins` (with their options) at `pathname`,
 * without a kernel: for a server you do not run. Options are validated as
 * `kernel.use` validates them; no server half runs.
 */
export function clientConfigOf(pathname: string, plugins: ReadonlyArray<readonly [PluginDefinition, unknown]>): ClientConfig {
  const halves: Array<ClientConfig['plugins'][number]> = [];
  for (const [definition, options] of plugins) {
    const name = checkDefinition(definition);
    const parsed = validateOptions(definition.options ?? NO_OPTIONS, options, `plugin "${name}"`);
    if (definition.client) halves.push({ name, half: definition.client, options: clientOptionsOf(definition, parsed) });
  }
  return { pathname, plugins: halves };
}

/** A Node client class that speaks to `kernel` (same plugins, same options). */
export function clientFor(kernel: Kernel): SocketClass {
  return socketClass(clientConfig(kernel));
}
