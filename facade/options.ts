import { z } from 'zod/v3';
import { fn } from '../core/options';
import { KernelOptionsSchema } from '../core/kernel-options';
import { transformerOptions } from '../transformers/options';
import { clientLibraryOptions } from '../plugins/client-library';
import { forwardedOptions } from '../plugins/forwarded';
import { firstPartyOptionFields, type RoomsOption, type EventsOption } from './first-party';

const stringList = z.union([z.string(), z.array(z.string())]);

/** A Primus custom parser as given: `{ encoder(data, fn), decoder(frame, fn), library? }`. */
type CustomParser = { encoder: (...args: any[]) => void; decoder: (...args: any[]) => void; library?: string; [key: string]: unknown };

function isCustomParser(value: unknown): value is CustomParser {
  const p = value as Partial<CustomParser> | null;
  return (
    typeof p === 'object' && p !== null && typeof p.encoder === 'function' && typeof p.decoder === 'function' &&
    (p.library === undefined || typeof p.library === 'string')
  );
}

/** Primus 8's server options with Primus's defaults, one schema per key. */
const primusOptionFields = {
  /** URL path to serve. Default `/primus`. */
  pathname: z
    .string()
    .default('/primus')
    .transform((p) => (p.startsWith('/') ? p : '/' + p)),
  /** Parser name (`json`, `msgpack`, `binary`, `ejson`) or a custom `{ encoder, decoder }`. Default `json`. */
  parser: z
    // A custom parser is kept as the very object given: `primus.parser` gives it back, as in Primus.
    .union([z.string(), z.custom<CustomParser>(isCustomParser, 'Expected a parser name or { encoder, decoder, library? }')])
    .default('json'),
  /** Transformer name (`websockets`, `sockjs`, `engine.io`, `faye`) or a kernel transformer plugin. Default `websockets`. */
  transformer: z.union([z.string(), z.object({ name: z.string() }).passthrough(), fn()]).default('websockets'),
  /** ms between heartbeat pings; `false`/0/null disables. Default 30000. */
  pingInterval: z.union([z.number().nonnegative(), z.literal(false), z.null()]).default(30_000),
  /** Largest inbound message in bytes (falsy: the default). Default 10485760. */
  maxLength: z
    .union([z.number().positive(), z.literal(0), z.literal(false), z.null()])
    .optional()
    // Filled in, as Primus does: transformer code written for Primus reads `primus.options.maxLength`.
    .transform((v) => (v ? v : 10_485_760)),
  /**
   * allspark: most bytes one spark may have waiting to be sent (a client that does not read)
   * before `overflow` applies. Default 4 MiB (the kernel's `maxBuffered`).
   */
  maxBuffered: KernelOptionsSchema.shape.maxBuffered,
  /** allspark: at `maxBuffered`, `close` the spark (default) or `drop` and count messages (the kernel's `overflow`). */
  overflow: KernelOptionsSchema.shape.overflow,
  /** allspark: most sparks open at once; new connections beyond get a 503 (the kernel's `maxConnections`). Default: no limit. */
  maxConnections: KernelOptionsSchema.shape.maxConnections,
  /** allspark: ms a connection may take to send its request head; slower ones are closed (the kernel's option). Default 10000. */
  handshakeTimeout: KernelOptionsSchema.shape.handshakeTimeout,
  /** allspark: ms between checks for running out of file descriptors; 0 disables (the kernel's option). Default 1000. */
  fdCheckInterval: KernelOptionsSchema.shape.fdCheckInterval,
  /** permessage-deflate. Default false. (The transformers' own field.) */
  compression: transformerOptions.shape.compression,
  /** allspark: bytes waiting to be sent past which `spark.write` returns false (the transformers' own field; default 1 MiB). */
  highWaterMark: transformerOptions.shape.highWaterMark.removeDefault().optional(),
  /** Options handed to the transport server. Default `{}`. (The transformers' own field.) */
  transport: transformerOptions.shape.transport,
  /** Spark id generator; overrides the transformer's ids. */
  idGenerator: fn<() => string>().optional(),
  /**
   * allspark: keep the upgrade `IncomingMessage` itself as `spark.request` (about 1 KB per
   * connection). Default false: a record of it with every property middleware added.
   */
  keepRequest: z.boolean().default(false),
  /**
   * Authorization function `(req, done)`, as `primus.authorize(fn)`. Any truthy value (as
   * `Primus.createSocket({ authorization: true })` uses) marks clients as facing authorization:
   * their default strategy leaves out `timeout`.
   */
  authorization: z
    .union([fn<(req: unknown, done: (err?: unknown) => void) => void>(), z.boolean()])
    .nullable()
    .optional(),
  /**
   * allspark: scale out on Redis, `{ redis: 'redis://…' | ioredisClient, … }` (the cluster plugin's
   * options, checked by it). `primus.write` then reaches every node; `primus.cluster` has the rest.
   */
  cluster: z.record(z.string(), z.unknown()).optional(),
  ...firstPartyOptionFields,
  /** Plugins: `{ name: plugin }` or a comma/space separated list of module names. */
  plugin: z.union([z.record(z.string(), z.unknown()), z.string()]).default({}),
  /** Name of the client library's global. Default `Primus`. (The client-library plugin's field.) */
  global: clientLibraryOptions.shape.global,
  /** Which peers may set the client address through proxy headers. Default true (Primus). (The forwarded plugin's field.) */
  trustProxy: forwardedOptions.shape.trustProxy,
  /** CORS: allowed origins. Default `*`. */
  origins: stringList.optional(),
  /** CORS: allowed methods. */
  methods: stringList.optional(),
  /** CORS: send Access-Control-Allow-Credentials. */
  credentials: z.boolean().optional(),
  /** CORS: preflight max age (seconds or a duration string). */
  maxAge: z.union([z.number(), z.string()]).optional(),
  /** CORS: allowed request headers. */
  headers: z.union([stringList, z.literal(false)]).optional(),
  /** CORS: exposed response headers. */
  exposed: z.union([stringList, z.literal(false)]).optional(),
};

/** The option names the facade knows (for the typo warning). */
export const KNOWN_PRIMUS_OPTIONS: readonly string[] = Object.keys(primusOptionFields);

/**
 * Primus 8's server options. Unknown keys are kept (Primus-style plugins
 * read their own settings from the shared object); known keys are
 * type-checked, so a typo in a value fails fast.
 */
export const PrimusOptionsSchema = z
  .object(primusOptionFields)
  .passthrough()
  .superRefine((options, ctx) => {
    if ('timeout' in options) {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'The `timeout` option has been removed' });
    }
  });

/**
 * The options `new Primus(server, options)` takes. Only the known keys are
 * typed, so a misspelled key in an object literal is a compile error. A
 * Primus plugin that reads its own keys declares them by augmentation:
 * `declare module 'allspark' { interface PrimusOptions { rooms?: { wildcard?: boolean } } }`.
 * (JavaScript callers may pass any key; one a typo away from a known
 * option gets a warning.)
 */
export interface PrimusOptions extends Omit<z.input<z.ZodObject<typeof primusOptionFields>>, 'rooms' | 'events'> {
  /**
   * allspark: the first-party rooms plugin, `true` or its options
   * (`{ maxRoomsPerSpark, maxRoomName, channelPrefix, queryTimeout, maxPendingQueries }`);
   * primus-rooms' own `{ adapter, wildcard }` load nothing (primus-rooms reads them).
   */
  rooms?: RoomsOption;
  /** allspark: typed events and acknowledgements, `true` or the events plugin's options (`{ map, unknown, ackTimeout, maxPendingAcks }`). */
  events?: EventsOption;
}
export type ResolvedPrimusOptions = z.output<typeof PrimusOptionsSchema>;
