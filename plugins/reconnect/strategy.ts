/** When to reconnect: after losing an open connection, when the network returns, after a connect timeout. */
export type StrategyName = 'disconnect' | 'online' | 'timeout';

/** Normalise Primus's `strategy` option: array, comma string, or `false` (never). */
export function parseStrategy(value: unknown, fallback: readonly StrategyName[]): Set<StrategyName> {
  if (value === false || value === '') return new Set();
  if (value === undefined || value === null || value === true) return new Set(fallback);
  const parts = Array.isArray(value) ? value : String(value).split(',');
  return new Set(parts.map((p) => String(p).trim().toLowerCase()).filter(Boolean) as StrategyName[]);
}
