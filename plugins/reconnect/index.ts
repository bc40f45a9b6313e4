import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import { reconnectClient, type ReconnectClientOptions } from './client';

const duration = z.union([z.number().nonnegative(), z.string()]);

export const reconnectOptions = z
  .object({
    /** When to reconnect by default; clients may override. Default `['disconnect', 'online', 'timeout']`. */
    strategy: z
      .union([z.array(z.enum(['disconnect', 'online', 'timeout'])), z.literal(false)])
      .default(['disconnect', 'online', 'timeout']),
    /** Default initial-connect timeout in ms (false disables). Default 10000. */
    timeout: z.union([z.number().int().nonnegative(), z.literal(false)]).default(10_000),
    /** Default back-off: `{ min, max, retries, factor, 'reconnect timeout' }`. */
    backoff: z
      .object({
        min: duration.optional(),
        max: duration.optional(),
        retries: z.number().int().nonnegative().optional(),
        factor: z.number().positive().optional(),
        'reconnect timeout': duration.optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

/**
 * Client-side recovery: randomised exponential back-off reconnects and the
 * initial connect timeout. No reconnect after an intentional `spark.end()`.
 */
export const reconnect = definePlugin({
  name: 'reconnect',
  options: reconnectOptions,
  client: reconnectClient,
  browser: 'plugins/reconnect',
  clientOptions: ({ strategy, timeout, backoff }): ReconnectClientOptions => ({
    strategy: strategy === false ? [] : strategy,
    timeout,
    reconnect: backoff,
  }),
});
