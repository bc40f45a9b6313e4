import { z } from 'zod/v3';
import { definePlugin, type PluginDefinition } from './plugin';
import { Slots } from './slots';
import type { Parser } from './types';
import type { ClientPluginHalf } from './client/types';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './decode-limits';

const limit = (fallback: number) => z.number().int().positive().default(fallback);

/** Options of every parser plugin: the bounds incoming frames are held to (docs/limits.md). */
export const decodeLimitsOptions = z
  .object({
    /** Deepest nesting of arrays and objects (msgpack: extension values too). Default 100. */
    maxDepth: limit(DEFAULT_DECODE_LIMITS.maxDepth),
    /** Most items in one array or entries in one object. Default 1,000,000. */
    maxEntries: limit(DEFAULT_DECODE_LIMITS.maxEntries),
  })
  .strict();

/** Options of the msgpack parser: {@link decodeLimitsOptions} plus its extension bounds. */
export const msgpackLimitsOptions = decodeLimitsOptions
  .extend({
    /** Most extension values nested inside one another. Default 4. */
    maxExtensionDepth: limit(DEFAULT_DECODE_LIMITS.maxExtensionDepth),
    /** Largest BigInt extension payload (bytes). Default 1024. */
    maxBigIntBytes: limit(DEFAULT_DECODE_LIMITS.maxBigIntBytes),
  })
  .strict();

/** A parser's options schema: {@link decodeLimitsOptions} or an extension of it. */
type LimitsSchema = z.ZodTypeAny;

/**
 * What a parser plugin is made of: its codec, the client half using it, and
 * its browser chunk folder. A codec built on an optional package is given as
 * a function making it, so a missing package is reported when the plugin is
 * used, not when it is imported.
 */
export interface ParserPluginParts<S extends LimitsSchema = typeof decodeLimitsOptions> {
  name: string;
  /** The codec with the default limits (what the client half uses), or a function making it. */
  codec: Parser | (() => Parser);
  /** The codec with other limits, from the plugin's validated options. */
  create?: (limits: DecodeLimits) => Parser;
  /** The options schema; default {@link decodeLimitsOptions}. */
  options?: S;
  client: ClientPluginHalf;
  browser?: string;
}

/**
 * Declare a parser plugin: it fills the kernel's parser slot with `codec`
 * (or, when options change a limit, the codec `create` makes) on the server
 * and runs `client` (which sets the same codec) on clients. Parsers take
 * only their decode limits as options.
 */
export function defineParser<S extends LimitsSchema = typeof decodeLimitsOptions>(parts: ParserPluginParts<S>): PluginDefinition<S> {
  const schema = (parts.options ?? decodeLimitsOptions) as S;
  return definePlugin<S>({
    name: parts.name,
    options: schema,
    server(ctx, options) {
      const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...(options as Partial<DecodeLimits>) };
      const defaults = (Object.keys(limits) as Array<keyof DecodeLimits>).every((k) => limits[k] === DEFAULT_DECODE_LIMITS[k]);
      const codec = parts.codec;
      ctx.provide(Slots.parser, defaults || parts.create === undefined ? (typeof codec === 'function' ? codec() : codec) : parts.create(limits));
    },
    client: parts.client,
    browser: parts.browser,
  });
}

/**
 * A codec that makes the real one on first use: what a parser plugin on an
 * optional package exports for code outside it (tests, benchmarks, custom
 * clients), so importing it never needs the package. The plugin's own halves
 * use the real codec, so no message pays for the indirection.
 */
export function deferredCodec(name: string, binary: boolean, real: () => Parser): Parser {
  return {
    name,
    binary,
    encode: (data) => real().encode(data),
    decode: (frame) => real().decode(frame),
  };
}
