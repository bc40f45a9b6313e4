import type { PluginDefinition } from '../core/plugin';
import type { ResolvedPrimusOptions } from './options';

/**
 * Plugins the facade adds when they are present in this build (CORS and
 * the client library arrive as their own plugins). Returned in the order
 * Primus runs its default layers.
 */
export function extraPlugins(
  _options: ResolvedPrimusOptions,
  _stage: 'before-spec',
): Array<[PluginDefinition, unknown]> {
  return [];
}
