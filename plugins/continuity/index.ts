import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import { fn } from '../../core/options';
import type { Spark } from '../../core/spark';
import { AllsparkError, ErrorCodes, describe } from '../../core/errors';
import { continuityClient, type ContinuityClientOptions } from './client';
import { startServer } from './server';
import { MEMORY_DEFAULTS, MemoryStore } from './memory-store';
import { REDIS_DEFAULTS, RedisStore } from './redis-store';
import type { ContinuityStore } from './store';
import { clusterOf } from '../cluster';
import type { ServerContext } from '../../core/context';
import type { Kernel } from '../../core/kernel';

const count = z.number().int().positive();
const ms = z.number().int().nonnegative();

export const continuityOptions = z
  .object({
    /**
     * Where sessions live: `'memory'` (this kernel's, closed with it), `'redis'`
     * (Redis Streams on the cluster plugin's Redis: clients resume on any node),
     * or a store of your own. Default: `'redis'` when the cluster plugin was
     * used before this one, `'memory'` otherwise.
     */
    store: z
      .union([
        z.enum(['memory', 'redis']),
        z.custom<ContinuityStore>((v) => v !== null && typeof v === 'object' && typeof (v as ContinuityStore).claim === 'function', 'a continuity store'),
      ])
      .optional(),
    /** ms a session waits for its client after a disconnect (the resume window). Default 120000. */
    window: ms.default(MEMORY_DEFAULTS.window),
    /** Messages kept per session for replay. Default 1000. */
    maxMessages: count.default(MEMORY_DEFAULTS.maxMessages),
    /** Bytes kept per session for replay. Default 1 MiB. */
    maxBytes: count.default(MEMORY_DEFAULTS.maxBytes),
    /** ms a message is kept for replay. Default 120000. */
    maxAge: ms.default(MEMORY_DEFAULTS.maxAge),
    /** Sessions kept at most (in-memory store). Default 100000. */
    maxSessions: count.default(MEMORY_DEFAULTS.maxSessions),
    /** Bytes of history over all sessions (in-memory store). Default 256 MiB. */
    maxTotalBytes: count.default(MEMORY_DEFAULTS.maxTotalBytes),
    /** Redis store: ms a connecting client waits for Redis before it is sent to reconnect. Default 5000. */
    claimTimeout: count.default(REDIS_DEFAULTS.claimTimeout),
    /** Redis store: messages waiting to be written to Redis at most (while it is unreachable). Default 100000. */
    maxPendingWrites: count.default(REDIS_DEFAULTS.maxPendingWrites),
    /** Redis store: bytes of such messages at most. Default 64 MiB. */
    maxPendingBytes: count.default(REDIS_DEFAULTS.maxPendingBytes),
    /** The server acknowledges client messages after this many… Default 32. */
    ackEvery: count.default(32),
    /** …or after this many ms. Default 100. */
    ackDelay: ms.default(100),
    /**
     * Who the client is (a user id from your authorization), run on every
     * connect: a session is resumed only by the identity that created it.
     */
    identify: fn<(spark: Spark) => string | undefined>().optional(),
    /** Client defaults (clients may override with their `continuity` option). */
    client: z
      .object({
        maxUnacked: count.default(1024),
        maxUnackedBytes: count.default(1 << 20),
        ackEvery: count.default(32),
        ackDelay: ms.default(100),
        helloTimeout: ms.default(10_000),
      })
      .strict()
      .default({}),
  })
  .strict();

/**
 * Resumable sessions (docs/continuity.md): messages in both directions
 * survive disconnects, exactly once and in order, or the application is
 * told (`continuity` event, `recovered: false`). Opt-in on both ends and
 * negotiated: Primus 8 peers see today's protocol.
 */
export const continuity = definePlugin({
  name: 'continuity',
  options: continuityOptions,
  server(ctx, options) {
    const owned = typeof options.store !== 'object';
    const store = typeof options.store === 'object' ? options.store : ownStore(ctx, options);
    ctx.provide(STORE, store);
    const stop = startServer(ctx, { store, ackEvery: options.ackEvery, ackDelay: options.ackDelay, identify: options.identify });
    return () => {
      stop();
      if (owned) return store.close();
    };
  },
  client: continuityClient,
  browser: 'plugins/continuity',
  clientOptions: (options): ContinuityClientOptions => ({ ...options.client }),
});

/** Registry token of the kernel's continuity store. */
const STORE = Symbol('continuity-store');

/** The store the continuity plugin of `kernel` uses (its own or the one you gave), or undefined. */
export function continuityStoreOf(kernel: Kernel): ContinuityStore | undefined {
  return kernel.registry.lookup<ContinuityStore>(STORE);
}

/** The store the plugin makes itself: Redis when asked, or by default when the cluster plugin is there. */
function ownStore(ctx: ServerContext, options: z.output<typeof continuityOptions>): ContinuityStore {
  const cluster = clusterOf(ctx.kernel);
  const kind = options.store ?? (cluster === undefined ? 'memory' : 'redis');
  if (kind === 'memory') {
    return new MemoryStore(options, (session, reason) =>
      ctx.log('warn', new AllsparkError(ErrorCodes.CONTINUITY, `Continuity evicted session ${session.id} (${reason === 'sessions' ? 'maxSessions' : 'maxTotalBytes'} reached)`)),
    );
  }
  if (cluster === undefined) {
    throw new AllsparkError(ErrorCodes.OPTIONS, "continuity: store 'redis' needs the cluster plugin, used before continuity (kernel.use(cluster, { redis }).use(continuity))");
  }
  return new RedisStore(cluster.driver, { ...options, prefix: cluster.keys.prefix }, (message, cause) =>
    ctx.log('warn', new AllsparkError(ErrorCodes.CONTINUITY, cause === undefined ? message : `${message}: ${describe(cause)}`, { cause })),
    cluster.broker,
  );
}

export { MemoryStore, MEMORY_DEFAULTS } from './memory-store';
export { RedisStore, REDIS_DEFAULTS, type RedisStoreOptions } from './redis-store';
export { MemoryStream, type StreamLimits, type StreamPosition } from './stream';
export { Session } from './session';
export type { ContinuityStore, Claim } from './store';
export type { ContinuityInfo } from './server';
export type { ClientContinuityEvent, ContinuityClientOptions } from './client';
export { continuityClient };
