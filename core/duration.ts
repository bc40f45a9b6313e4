/**
 * Duration strings as Primus's `millisecond` module reads them: a number
 * with an optional unit (`ms`, `s`, `m`, `h`, `d`, `w`, `y` and their long
 * forms). A bare number string is milliseconds, as in Primus. Used by
 * plugins on both sides (CORS max age, reconnect back-off), so it has no
 * dependencies and is safe in browser chunks.
 */
const UNIT_MS: Record<string, number> = {};
const UNITS: Array<[number, string[]]> = [
  [1, ['ms', 'msec', 'msecs', 'millisecond', 'milliseconds']],
  [1000, ['s', 'sec', 'secs', 'second', 'seconds']],
  [60_000, ['m', 'min', 'mins', 'minute', 'minutes']],
  [3_600_000, ['h', 'hr', 'hrs', 'hour', 'hours']],
  [86_400_000, ['d', 'day', 'days']],
  [604_800_000, ['w', 'wk', 'wks', 'week', 'weeks']],
  [31_536_000_000, ['y', 'yr', 'yrs', 'year', 'years']],
];
for (const [ms, names] of UNITS) for (const name of names) UNIT_MS[name] = ms;

const DURATION = /^(\d*\.?\d+) *([a-z]*)$/i;

/** Milliseconds of a duration string, or `undefined` when it is not one. */
export function durationMs(value: string): number | undefined {
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  const unit = match[2] === '' ? 1 : UNIT_MS[match[2].toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}
