import { ErrorCodes, ParserError } from './errors';

/**
 * Bounds a parser holds every incoming frame to, checked before the frame
 * is decoded, so a small hostile frame cannot cost a lot of memory or time
 * (deep nesting, huge counts, nested extensions, giant integers). A frame
 * past a bound fails with a {@link ParserError} (`ALLSPARK_PARSE`): the
 * message is dropped and the connection kept. No zod here: the client
 * halves (and the browser library) use the same codecs.
 */
export interface DecodeLimits {
  /** Deepest nesting of arrays, objects (and, for msgpack, extension values). */
  readonly maxDepth: number;
  /** Most items in one array, or entries in one object / map. */
  readonly maxEntries: number;
  /** msgpack: most extension values nested inside one another (each one decodes its payload again). */
  readonly maxExtensionDepth: number;
  /** msgpack: largest BigInt extension (type 0x42) payload, in bytes. */
  readonly maxBigIntBytes: number;
}

/** The defaults, documented in docs/limits.md ("Parsers and malformed input"). */
export const DEFAULT_DECODE_LIMITS: DecodeLimits = Object.freeze({
  maxDepth: 100,
  maxEntries: 1_000_000,
  maxExtensionDepth: 4,
  maxBigIntBytes: 1024,
});

/** The error for a frame past a limit; `option` names the parser option that sets it. */
export function overLimit(codec: string, what: string, option: keyof DecodeLimits, limit: number): ParserError {
  return new ParserError(ErrorCodes.PARSE, `${codec}: ${what} (the limit is ${limit}, parser option ${option})`);
}

/**
 * Any failure of a codec's `decode` as a {@link ParserError}: malformed
 * input is an `ALLSPARK_PARSE` whatever library threw, never a crash.
 */
export function decodeFailure(codec: string, err: unknown): ParserError {
  if (err instanceof ParserError) return err;
  const message = (err as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : String(err);
  return new ParserError(ErrorCodes.PARSE, text.startsWith(codec + ':') ? text : `${codec}: ${text}`, err);
}
