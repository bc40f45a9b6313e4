import { overLimit, type DecodeLimits } from '../../core/decode-limits';
import { ErrorCodes, ParserError } from '../../core/errors';

/**
 * Extension types whose payload is itself a MessagePack value, decoded
 * again: msgpack-lite's Errors (0x01–0x06, 0x0e), RegExp (0x0a), Boolean /
 * String / Number wrappers (0x0b, 0x0c, 0x0f) and Date (0x0d).
 */
const NESTED_PAYLOAD = new Set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]);
/** msgpackr's Error (0x65), Set (0x73) and RegExp (0x78) read the value that follows them. */
const WRAPS_NEXT = new Set([0x65, 0x73, 0x78]);
/**
 * msgpackr's records (0x72), structured-clone references (0x69, 0x70) and
 * string bundles (0x62): never written by our encoder nor by msgpack-lite,
 * and they build cyclic values, change how later bytes read or move the
 * read position, which this walk could not follow; so they are refused.
 */
const REFUSED = new Map([
  [0x72, 'records'],
  [0x62, 'string bundles'],
  [0x69, 'structured-clone references'],
  [0x70, 'structured-clone references'],
]);
const BIGINT = 0x42;

/** Bytes of the size field of str8/16/32, bin8/16/32, ext8/16/32, array16/32, map16/32. */
const SIZE_BYTES = [1, 2, 4];
/** Bytes after the type byte of the fixed-size scalars 0xca–0xd3 (float32, float64, uint8–64, int8–64). */
const FIXED = [4, 8, 1, 2, 4, 8, 1, 2, 4, 8];

/** Per enclosing level: values it still has to read, and where an extension payload ends (-1: not an extension, -2: wraps the next value). */
let remaining = new Float64Array(0);
let ends = new Float64Array(0);

/**
 * Walk the structure of one MessagePack frame, without decoding or
 * allocating anything, and refuse it before msgpackr builds a value when it
 * nests deeper than `maxDepth`, holds a container of more than `maxEntries`,
 * nests extensions deeper than `maxExtensionDepth`, carries a BigInt
 * extension over `maxBigIntBytes`, or uses an extension we refuse. Strings
 * and binary are skipped by their length, so the cost is one step per
 * value. A frame that ends early is left for msgpackr to refuse.
 */
export function checkMsgpack(bytes: Uint8Array, limits: DecodeLimits): void {
  const { maxDepth, maxEntries, maxExtensionDepth } = limits;
  if (remaining.length < maxDepth + 2) {
    remaining = new Float64Array(maxDepth + 2);
    ends = new Float64Array(maxDepth + 2);
  }
  const length = bytes.length;
  let pos = 0;
  let depth = 0;
  let extDepth = 0;
  // Values left at the current level (the stack holds the enclosing ones).
  let left = 1;
  let end = -1;
  for (;;) {
    if (left === 0) {
      if (depth === 0) return;
      if (end !== -1) extDepth--;
      if (end >= 0) pos = end;
      depth--;
      left = remaining[depth];
      end = ends[depth];
      continue;
    }
    left--;
    if (pos >= length) return;
    const type = bytes[pos++];
    if (type < 0x80 || type >= 0xe0) continue;
    let count = 0;
    if (type < 0xa0) {
      count = type < 0x90 ? 2 * (type & 0x0f) : type & 0x0f;
    } else if (type < 0xc0) {
      pos += type & 0x1f;
      continue;
    } else if (type <= 0xc3) {
      continue;
    } else if (type >= 0xca && type <= 0xd3) {
      pos += FIXED[type - 0xca];
      continue;
    } else if (type >= 0xdc) {
      const sizeBytes = type === 0xdc || type === 0xde ? 2 : 4;
      const size = readSize(bytes, pos, sizeBytes);
      if (size < 0) return;
      pos += sizeBytes;
      if (size > maxEntries) throw overLimit('msgpack', `a container of ${size} entries at offset ${pos}`, 'maxEntries', maxEntries);
      count = type >= 0xde ? 2 * size : size;
    } else if (type >= 0xd9 || type <= 0xc6) {
      // str8/16/32 (0xd9–0xdb), bin8/16/32 (0xc4–0xc6)
      const sizeBytes = SIZE_BYTES[type >= 0xd9 ? type - 0xd9 : type - 0xc4];
      const size = readSize(bytes, pos, sizeBytes);
      if (size < 0) return;
      pos += sizeBytes + size;
      continue;
    } else {
      // ext8/16/32 (0xc7–0xc9: size, type, payload) and fixext1–16 (0xd4–0xd8: type, payload)
      let size: number;
      if (type <= 0xc9) {
        const sizeBytes = SIZE_BYTES[type - 0xc7];
        size = readSize(bytes, pos, sizeBytes);
        if (size < 0) return;
        pos += sizeBytes;
      } else {
        size = 1 << (type - 0xd4);
      }
      if (pos >= length) return;
      const ext = bytes[pos++];
      const nested = checkExtension(ext, size, pos, limits);
      if (nested === 0) {
        pos += size;
        continue;
      }
      if (++extDepth > maxExtensionDepth) {
        throw overLimit('msgpack', `extensions nested more than ${maxExtensionDepth} deep`, 'maxExtensionDepth', maxExtensionDepth);
      }
      if (depth + 1 > maxDepth) throw overLimit('msgpack', `frame nested deeper than ${maxDepth} levels`, 'maxDepth', maxDepth);
      remaining[depth] = left;
      ends[depth] = end;
      depth++;
      left = 1;
      // A nested payload is read in place, then the walk resumes after it; a wrapper reads on.
      if (nested === NESTED) {
        end = pos + size;
      } else {
        end = -2;
        pos += size;
      }
      continue;
    }
    if (count === 0) continue;
    if (depth + 1 > maxDepth) throw overLimit('msgpack', `frame nested deeper than ${maxDepth} levels`, 'maxDepth', maxDepth);
    remaining[depth] = left;
    ends[depth] = end;
    depth++;
    left = count;
    end = -1;
  }
}

const NESTED = 1;
const WRAPPER = 2;

/** Check one extension value's type and size; says whether it nests a value ({@link NESTED}, {@link WRAPPER}) or not (0). */
function checkExtension(ext: number, size: number, at: number, limits: DecodeLimits): number {
  if (ext === BIGINT && size > limits.maxBigIntBytes) {
    throw overLimit('msgpack', `a BigInt of ${size} bytes at offset ${at}`, 'maxBigIntBytes', limits.maxBigIntBytes);
  }
  const refused = REFUSED.get(ext);
  if (refused !== undefined) throw new ParserError(ErrorCodes.PARSE, `msgpack: extension 0x${ext.toString(16)} (${refused}) is not accepted`);
  return NESTED_PAYLOAD.has(ext) ? NESTED : WRAPS_NEXT.has(ext) ? WRAPPER : 0;
}

/** Big-endian unsigned size of `n` bytes at `at`; -1 past the end. */
function readSize(bytes: Uint8Array, at: number, n: number): number {
  if (at + n > bytes.length) return -1;
  if (n === 1) return bytes[at];
  if (n === 2) return (bytes[at] << 8) | bytes[at + 1];
  return bytes[at] * 0x1000000 + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]);
}
