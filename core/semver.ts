/**
 * Just enough semver for plugin compatibility checks (no dependency):
 * `satisfies('1.4.2', '^1.2.0 || >=3')`. Ranges: comparators (`>=1.2.0`,
 * `<2`, `=1.0.0`, `1.2.3`), caret (`^1.2.3`, `^0.2.0`), tilde (`~1.2`),
 * x-ranges (`1.x`, `1.2.*`, `*`), hyphen ranges (`1.0.0 - 2.1.0`), `||`
 * between alternatives and spaces between comparators that must all hold.
 * A pre-release version (`1.0.0-rc.1`) is lower than its release.
 */

type Version = [major: number, minor: number, patch: number, pre: string];
/** `[operator, version]`; `*` matches everything. */
type Comparator = [op: '<' | '<=' | '>' | '>=' | '=', version: Version] | ['*'];

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;
/** A possibly partial version in a range: `1`, `1.2`, `1.x`, `1.2.3-rc.1`. */
const PARTIAL = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parse `1.2.3[-pre]`; undefined when it is not a version. */
export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? ''] : undefined;
}

/** Negative, zero or positive as `a` is lower than, equal to or higher than `b`. */
export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  if (a[3] === b[3]) return 0;
  if (a[3] === '') return 1; // a release is higher than its pre-releases
  if (b[3] === '') return -1;
  return comparePre(a[3].split('.'), b[3].split('.'));
}

/** Pre-release identifiers in semver order: numbers numerically and below words, a shorter list first (`rc.2` < `rc.10` < `rc.10.1`). */
function comparePre(a: string[], b: string[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    if (a[i] === b[i]) continue;
    const x = /^\d+$/.test(a[i]);
    const y = /^\d+$/.test(b[i]);
    if (x && y) return Number(a[i]) - Number(b[i]);
    if (x !== y) return x ? -1 : 1;
    return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

const isWild = (part: string | undefined): boolean => part === undefined || /^[xX*]$/.test(part);

/** One range term (`^1.2`, `>=2`, `1.x`) as comparators; throws on nonsense. */
function comparatorsOf(term: string): Comparator[] {
  const m = /^(\^|~|>=|<=|>|<|=)?\s*(.+)$/.exec(term)!;
  const op = m[1] ?? '';
  const p = PARTIAL.exec(m[2]);
  if (!p) throw new Error(`not a version: "${term}"`);
  const [maj, min, pat, pre = ''] = [p[1], p[2], p[3], p[4]];
  if (isWild(maj)) return [['*']];
  const M = Number(maj);
  const N = isWild(min) ? 0 : Number(min);
  const P = isWild(pat) ? 0 : Number(pat);
  const low: Version = [M, N, P, pre];
  // The first version past the range a partial or caret/tilde version covers.
  let high: Version | undefined;
  if (op === '^') {
    if (M > 0 || isWild(min)) high = [M + 1, 0, 0, ''];
    else if (N > 0 || isWild(pat)) high = [0, N + 1, 0, ''];
    else high = [0, 0, P + 1, ''];
  } else if (op === '~' || op === '') {
    if (isWild(min)) high = [M + 1, 0, 0, ''];
    else if (op === '~' || isWild(pat)) high = [M, N + 1, 0, ''];
  }
  if (op === '^' || op === '~' || (op === '' && high)) return [['>=', low], ['<', high!]];
  if (op === '' || op === '=') return [['=', low]];
  // `>1.2` means past all of 1.2.x; `<=1.2` includes all of 1.2.x.
  const partialHigh: Version | undefined = isWild(min) ? [M + 1, 0, 0, ''] : isWild(pat) ? [M, N + 1, 0, ''] : undefined;
  if (partialHigh && op === '>') return [['>=', partialHigh]];
  if (partialHigh && op === '<=') return [['<', partialHigh]];
  return [[op as '<' | '>' | '>=' | '<=', low]];
}

function holds(version: Version, c: Comparator): boolean {
  if (c[0] === '*') return version[3] === '';
  const order = compareVersions(version, c[1]);
  switch (c[0]) {
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
    default: return order === 0;
  }
}

/** Parse a range into alternatives of comparator sets; throws an Error naming the bad part. */
export function parseRange(range: string): Comparator[][] {
  return range.split('||').map((alternative) => {
    const text = alternative.trim().replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1');
    if (text === '') return [['*']];
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    if (hyphen) return [...comparatorsOf(`>=${hyphen[1]}`), ...comparatorsOf(`<=${hyphen[2]}`)];
    return text.split(/\s+/).flatMap(comparatorsOf);
  });
}

/**
 * Does `version` satisfy `range`? Pre-release versions satisfy only
 * ranges that name a pre-release of the same major.minor.patch, as in npm.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) throw new Error(`not a version: "${version}"`);
  return parseRange(range).some((set) => {
    if (!set.every((c) => holds(v, c))) return false;
    if (v[3] === '') return true;
    return set.some((c) => c[0] !== '*' && c[1][3] !== '' && c[1][0] === v[0] && c[1][1] === v[1] && c[1][2] === v[2]);
  });
}
