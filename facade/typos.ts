/**
 * The facade keeps unknown option keys (Primus plugins read their own), so
 * a misspelled option is silently ignored, as in Primus: `{ transfomer:
 * 'sockjs' }` runs WebSockets. A key one edit away from a known option is
 * almost surely a typo, so it is reported: on the server's `log` event
 * every time, and as a process warning once per key per process.
 */

/** Code of the process warning (`process.on('warning', w => w.code)`). */
export const OPTION_TYPO_WARNING = 'ALLSPARK_OPTION_TYPO';

const warned = new Set<string>();

/** Is `a` one insertion, deletion, substitution or swap of neighbours away from `b`? */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    const swapped = a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    return swapped || a.slice(i + 1) === b.slice(i + 1);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** The known option `key` is probably a typo of, if any. */
export function likelyMeant(key: string, known: readonly string[]): string | undefined {
  if (known.includes(key)) return undefined;
  return known.find((name) => oneEditApart(key, name));
}

/**
 * Report every key of `options` one edit away from a `known` one: `log`
 * gets each message, the process gets a warning once per key.
 */
export function warnTypos(options: object, known: readonly string[], log: (message: string) => void): void {
  for (const key of Object.keys(options)) {
    const meant = likelyMeant(key, known);
    if (meant === undefined) continue;
    const message = `Unknown Primus option "${key}": did you mean "${meant}"? (unknown options are kept for plugins)`;
    log(message);
    if (warned.has(key)) continue;
    warned.add(key);
    process.emitWarning(message, { code: OPTION_TYPO_WARNING });
  }
}
