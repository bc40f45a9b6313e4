import { overLimit, type DecodeLimits } from '../../core/decode-limits';

/** Entries counted so far per open container, reused: one scan runs at a time. */
let counts = new Int32Array(0);

/**
 * Hold JSON text to `maxDepth` and `maxEntries` before `JSON.parse` builds
 * anything. Reaching depth d takes 2d characters and n entries 2n - 1, so
 * short texts (most messages) are not scanned at all; longer ones are
 * walked once, strings skipped with `indexOf`. Malformed text is left for
 * `JSON.parse` to refuse.
 */
export function checkJsonText(text: string, limits: DecodeLimits, codec: string): void {
  const { maxDepth, maxEntries } = limits;
  if (text.length <= 2 * Math.min(maxDepth, maxEntries)) return;
  if (counts.length < maxDepth + 2) counts = new Int32Array(maxDepth + 2);
  const n = text.length;
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = stringEnd(text, i);
      if (i === -1) return;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > maxDepth) throw overLimit(codec, `nested deeper than ${maxDepth} levels`, 'maxDepth', maxDepth);
      counts[depth] = 0;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
    } else if (c === 44 /* , */ && depth > 0 && ++counts[depth] >= maxEntries) {
      throw overLimit(codec, `a container holds more than ${maxEntries} entries`, 'maxEntries', maxEntries);
    }
  }
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
