import { z } from 'zod';
import { fn } from './options';

/** Options of {@link createKernel}. */
export const KernelOptionsSchema = z
  .object({
    /** URL path the kernel serves; requests elsewhere go to the server's other listeners. Default `/primus`. */
    pathname: z.string().regex(/^\//, 'must start with "/"').default('/primus'),
    /** Largest inbound message in bytes; transformers enforce it. Default 10 MiB. */
    maxLength: z.number().int().positive().default(10_485_760),
    /**
     * Keep the `IncomingMessage` that opened a connection as `spark.request`
     * (about 1 KB more per connection). Default: a light record with its
     * method, url, headers, query, socket and every property middleware or
     * authorization added (see `SparkRequest`).
     */
    keepRequest: z.boolean().default(false),
    /**
     * Most bytes one spark may have waiting to be sent (queued in the transport
     * and unsent on its socket) before `overflow` applies: a peer that stops
     * reading cannot make the server buffer without bound, however the app
     * treats `write() === false`. Checked only once a spark is over the
     * transformer's `highWaterMark`, so it is never below that. Default 4 MiB.
     */
    maxBuffered: z.number().int().positive().default(4 * 1024 * 1024),
    /**
     * What happens at `maxBuffered`: `close` ends the spark (error
     * ALLSPARK_BUFFER_FULL, the client may reconnect); `drop` keeps it and
     * drops (and counts in `spark.dropped`) every message until it drains
     * below the high-water mark. Default `close`.
     */
    overflow: z.enum(['close', 'drop']).default('close'),
    /** Makes spark ids; overrides the transformer's own ids. Default: 21-char random ids. */
    idGenerator: fn<() => string>().optional(),
  })
  .strict();

export type KernelOptions = z.output<typeof KernelOptionsSchema>;
