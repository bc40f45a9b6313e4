/**
 * A third-party plugin written only against allspark's public API:
 * at most `max` messages per spark per `windowMs`; the rest are dropped and
 * the spark emits `ratelimit`. Copy this folder to start your own plugin.
 */
import { z } from 'zod';
import { definePlugin, type Spark } from 'allspark';

export const rateLimitOptions = z
  .object({
    /** Messages allowed per window. Default 100. */
    max: z.number().int().positive().default(100),
    /** Window length in ms. Default 1000. */
    windowMs: z.number().int().positive().default(1000),
  })
  .strict();

/** The event this plugin emits on sparks, typed for every `spark.on('ratelimit', …)`. */
declare module 'allspark' {
  interface SparkEvents {
    ratelimit: [info: { max: number; windowMs: number }];
  }
}

/** Per-spark counters live in a WeakMap so the plugin adds no fields to Spark. */
export const rateLimit = definePlugin({
  name: 'rate-limit',
  allspark: '>=0.1.0 <1',
  options: rateLimitOptions,
  server(ctx, { max, windowMs }) {
    const windows = new WeakMap<Spark, { start: number; count: number }>();
    ctx.hook('onMessage', (spark) => {
      const now = Date.now();
      let w = windows.get(spark);
      if (w === undefined || now - w.start >= windowMs) {
        w = { start: now, count: 0 };
        windows.set(spark, w);
      }
      if (++w.count <= max) return;
      if (w.count === max + 1) spark.emit('ratelimit', { max, windowMs });
      return false; // drop the message
    });
  },
});
