import { z } from 'zod/v3';

/**
 * The options every transformer plugin takes: the same three names and
 * defaults on all four, so switching transformers is one option (the
 * Primus facade passes them to whichever is in use). What `compression`
 * and `transport` mean for each transport is on its plugin and in
 * docs/transformers.md. Server side only: keep it out of client halves.
 */
export const transformerOptions = z
  .object({
    /** permessage-deflate (engine.io: also gzip/deflate on polling answers). Default false. */
    compression: z.boolean().default(false),
    /** `spark.write` returns false once this much waits to be sent (bytes; sockjs: characters). Default 1 MiB. */
    highWaterMark: z.number().int().positive().default(1 << 20),
    /** Extra options for the transport's own server, merged over ours where the transport allows. Default `{}`. */
    transport: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** Validated {@link transformerOptions}. */
export type TransformerOptions = z.output<typeof transformerOptions>;
