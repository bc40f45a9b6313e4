import type { PluginDefinition } from '../core/plugin';
import type { ResolvedPrimusOptions } from './options';
import { cors } from '../plugins/cors';
import { clientLibrary } from '../plugins/client-library';

/** Keep only the keys the user set, so the plugin's own defaults apply to the rest. */
function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

/**
 * Plugins the facade adds between `forwarded` and `spec`, in the order
 * Primus runs its default layers (cors, then the client library).
 */
export function extraPlugins(
  options: ResolvedPrimusOptions,
  _stage: 'before-spec',
): Array<[PluginDefinition, unknown]> {
  const { origins, methods, credentials, maxAge, headers, exposed } = options;
  return [
    [cors as PluginDefinition, defined({ origins, methods, credentials, maxAge, headers, exposed })],
    // `<script src="/primus.js">` works as with Primus, whose bare prefix match captured `/primus.js`
    // (spec §7.7): here that path alone, not every `/primus…`.
    [clientLibrary as PluginDefinition, { global: options.global, alias: true }],
  ];
}
