import { overLimit, type DecodeLimits } from '../../core/decode-limits';

const QUOTE = 1;
const OPEN = 2;
const CLOSE = 3;
const COMMA = 4;
/** What each ASCII character means to the walk; everything else is 0 (nothing). */
const CLASS = new Uint8Array(128);
CLASS[34] = QUOTE;
CLASS[91] = CLASS[123] = OPEN;
CLASS[93] = CLASS[125] = CLOSE;
CLASS[44] = COMMA;

/** Entries counted so far per open container, reused: one scan runs at a time. */
let counts = new Int32Array(0);

/**
 * Hold JSON text to `maxDepth` and `maxEntries` before `JSON.parse` builds
 * anything. The text is walked only when it could break a limit: n entries
 * take 2n - 1 characters, and depth d takes d opening brackets, which
 * `indexOf` counts natively (most messages have a handful). The walk skips
 * strings with `indexOf` too. Malformed text is left for `JSON.parse` to refuse.
 */
export function checkJsonText(text: string, limits: DecodeLimits, codec: string): void {
  const { maxDepth, maxEntries } = limits;
  if (text.length < 2 * maxEntries - 1 && countUpTo(text, '[', countUpTo(text, '{', 0, maxDepth), maxDepth) <= maxDepth) return;
  if (counts.length < maxDepth + 2) counts = new Int32Array(maxDepth + 2);
  const n = text.length;
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 125) continue;
    switch (CLASS[c]) {
      case 0:
        break;
      case QUOTE:
        i = stringEnd(text, i);
        if (i === -1) return;
        break;
      case OPEN:
        if (++depth > maxDepth) throw overLimit(codec, `nested deeper than ${maxDepth} levels`, 'maxDepth', maxDepth);
        counts[depth] = 0;
        break;
      case CLOSE:
        depth--;
        break;
      default:
        if (depth > 0 && ++counts[depth] >= maxEntries) {
          throw overLimit(codec, `a container holds more than ${maxEntries} entries`, 'maxEntries', maxEntries);
        }
    }
  }
}

/** `counted` plus the occurrences of `char` in `text`, counting no further than `limit` + 1. */
function countUpTo(text: string, char: string, counted: number, limit: number): number {
  let at = -1;
  while (counted <= limit && (at = text.indexOf(char, at + 1)) !== -1) counted++;
  return counted;
}

/** Index of the quote closing the string that opens at `start`; -1 when it never closes. */
function stringEnd(text: string, start: number): number {
  let at = start;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return -1;
    // Escaped when preceded by an odd number of backslashes.
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === 92) slashes++;
    if ((slashes & 1) === 0) return at;
  }
}
