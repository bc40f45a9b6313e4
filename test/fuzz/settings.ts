import fc from 'fast-check';

/**
 * How many runs each property gets. `npm test` runs the quick counts (all
 * fuzz files together fit in about a minute on a busy 2-core machine);
 * `npm run fuzz` sets FUZZ_LONG=1 for the long counts; FUZZ_RUNS=<n> sets
 * every property to n runs; FUZZ_SEED=<n> replays a run fast-check reported.
 */
export function fuzzRuns(quick: number, long: number): number {
  const forced = Number(process.env.FUZZ_RUNS);
  if (Number.isInteger(forced) && forced > 0) return forced;
  return process.env.FUZZ_LONG === '1' ? long : quick;
}

/** fast-check parameters: the run count, and the seed to replay when FUZZ_SEED is set. */
export function fuzzParameters(quick: number, long: number): fc.Parameters<unknown> {
  const seed = Number(process.env.FUZZ_SEED);
  return { numRuns: fuzzRuns(quick, long), ...(Number.isInteger(seed) ? { seed } : {}) };
}

/** Jest timeout for a fuzz test whose quick run takes about `quickMs`, scaled with its run count. */
export function fuzzTimeout(quick: number, long: number, quickMs: number): number {
  return Math.max(60_000, Math.ceil((fuzzRuns(quick, long) / quick) * quickMs * 3));
}
