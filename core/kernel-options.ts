import { z } from 'zod/v3';
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
    /** Makes spark ids; overrides the transformer's own ids. Default: 21-char random ids. */
    idGenerator: fn<() => string>().optional(),
  })
  .strict();

export type KernelOptions = z.output<typeof KernelOptionsSchema>;
