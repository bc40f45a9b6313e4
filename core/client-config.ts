import type { Kernel } from './kernel';
import type { PluginDefinition } from './plugin';
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

/** A Node client class that speaks to `kernel` (same plugins, same options). */
export function clientFor(kernel: Kernel): SocketClass {
  return socketClass(clientConfig(kernel));
}
