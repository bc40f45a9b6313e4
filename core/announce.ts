import type { Kernel } from './kernel';
import { Spark } from './spark';
import { describe } from './errors';

/**
 * Run `onConnection` hooks, holding messages while async ones settle, then
 * emit `connection`. A hook (or `connection` listener) that throws or
 * rejects, before or after an async hook, ends the spark with its error;
 * later hooks do not run.
 */
export function announce(kernel: Kernel, spark: Spark): void {
  const hooks = kernel.hooks.onConnection;
  let i = 0;
  const abort = (err: unknown): void => {
    spark.fail(err instanceof Error ? err : new Error(describe(err)));
    spark.end();
  };
  const step = (): void => {
    while (spark.readyState === Spark.OPEN && hooks !== null && i < hooks.length) {
      let result: unknown;
      try {
        result = hooks[i++](spark);
      } catch (err) {
        return abort(err);
      }
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(step, abort);
        return;
      }
    }
    if (spark.readyState !== Spark.OPEN) return;
    try {
      kernel.emit('connection', spark);
    } catch (err) {
      return abort(err);
    }
    spark.release();
  };
  step();
}
