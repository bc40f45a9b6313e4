import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import { fn } from '../../core/options';
import type { Spark } from '../../core/spark';
import { AllsparkError, ErrorCodes } from '../../core/errors';
import { continuityClient, type ContinuityClientOptions } from './client';
import { startServer } from './server';
import { MEMORY_DEFAULTS, MemoryStore } from './memory-store';
import type { ContinuityStore } from './store';

const count = z.number().int().positive();
const ms = z.number().int().nonnegative();

export const continuityOptions = z
  .object({
    /** Where sessions live. Default: a new in-memory store for this kernel (closed with it). */
    store: z.custom<ContinuityStore>((v) => v !== null && typeof v === 'object' && typeof (v as ContinuityStore).claim === 'function', 'a continuity store').optional(),
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
    const owned = options.store === undefined;
    const store =
      options.store ??
      new MemoryStore(options, (session, reason) =>
        ctx.log('warn', new AllsparkError(ErrorCodes.CONTINUITY, `Continuity evicted session ${session.id} (${reason === 'sessions' ? 'maxSessions' : 'maxTotalBytes'} reached)`)),
      );
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

export { MemoryStore, MEMORY_DEFAULTS } from './memory-store';
export { MemoryStream, type StreamLimits, type StreamPosition } from './stream';
export { Session } from './session';
export type { ContinuityStore, Claim } from './store';
export type { ContinuityInfo } from './server';
export type { ClientContinuityEvent, ContinuityClientOptions } from './client';
export { continuityClient };
