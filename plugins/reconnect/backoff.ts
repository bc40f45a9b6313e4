import { durationMs } from '../../core/duration';

/** Settings of one reconnect cycle (Primus 8 names, including the spaced key). */
export interface BackoffSettings {
  min: number;
  max: number;
  retries: number;
  factor: number;
  'reconnect timeout': number;
}

/** The object passed with every reconnect event; one per cycle. */
export interface ReconnectState extends BackoffSettings {
  start: number;
  duration: number;
  attempt: number;
  scheduled: number;
  backoff: boolean;
}

export const DEFAULT_BACKOFF: BackoffSettings = {
  min: 500,
  max: Infinity,
  retries: 10,
  factor: 2,
  'reconnect timeout': 30_000,
};

/**
 * Delay before attempt `attempt` (1-based): `(1 + random) · min · factor^(attempt-1)`,
 * capped by `max`. Unlike Primus the first attempt is randomised too, so
 * clients dropped together do not come back in the same millisecond
 * (spec §7.19).
 */
export function delayFor(settings: BackoffSettings, attempt: number, random: () => number = Math.random): number {
  const raw = Math.round((1 + random()) * settings.min * Math.pow(settings.factor, attempt - 1));
  return Math.min(raw, settings.max);
}

/** Milliseconds from a number or a duration string such as `"2 seconds"` (Primus accepts both). */
export function toMs(value: unknown, fallback: number): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return fallback;
  return durationMs(value) ?? fallback;
}

/** Normalise settings given as numbers or duration strings over the defaults. */
export function backoffSettings(input: Partial<Record<keyof BackoffSettings, unknown>> | undefined): BackoffSettings {
  // Object.assign: object spread costs the ES2017 browser chunk esbuild's helpers.
  const out = Object.assign({}, DEFAULT_BACKOFF);
  if (!input) return out;
  for (const key of Object.keys(DEFAULT_BACKOFF) as (keyof BackoffSettings)[]) {
    out[key] = toMs(input[key], DEFAULT_BACKOFF[key]);
  }
  return out;
}
