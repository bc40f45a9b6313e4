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
    /**
     * Most sparks open at once. A new connection beyond it (WebSocket
     * upgrade, polling handshake) is answered 503 with `Retry-After` and
     * ALLSPARK_MAX_CONNECTIONS, logged once until the count drops again;
     * requests of open sessions still pass. Default: no limit.
     */
    maxConnections: z.number().int().positive().optional(),
    /**
     * Most ms a connection may take to deliver its request head (upgrade,
     * polling request, anything under the server): half-open and slowloris
     * sockets are closed with a 408. Sets the server's `headersTimeout` when
     * that is longer; Node checks it every `connectionsCheckingInterval`
     * (its default 30 s; 1 s on servers `kernel.listen` creates). Default 10000.
     */
    handshakeTimeout: z.number().int().positive().default(10_000),
    /**
     * ms between checks that the process can still open a file descriptor;
     * past the limit (EMFILE/ENFILE) new connections are dropped silently by
     * the OS layer, so this reports it (ALLSPARK_OVERLOAD). 0 disables. Default 1000.
     */
    fdCheckInterval: z.number().int().nonnegative().default(1000),
    /** Makes spark ids; overrides the transformer's own ids. Default: 21-char random ids. */
    idGenerator: fn<() => string>().optional(),
  })
  .strict();

export type KernelOptions = z.output<typeof KernelOptionsSchema>;
