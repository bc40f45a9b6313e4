import type { Kernel } from './kernel';
import { Spark } from './spark';
import { describe } from './errors';

type ConnectionHook = (spark: Spark) => unknown;

/**
 * Run `onConnection` hooks, holding messages while async ones settle, then
 * emit `connection`. A hook (or `connection` listener) that throws or
 * rejects, before or after an async hook, ends the spark with its error;
 * later hooks do not run. Synchronous hooks cost no closure: one is made
 * only to resume after a hook that returned a promise.
 */
export function announce(kernel: Kernel, spark: Spark): void {
  runFrom(kernel, spark, kernel.hooks.onConnection, 0);
}

function runFrom(kernel: Kernel, spark: Spark, hooks: readonly ConnectionHook[] | null, from: number): void {
  let i = from;
  while (spark.readyState === Spark.OPEN && hooks !== null && i < hooks.length) {
    let result: unknown;
    try {
      result = hooks[i++](spark);
    } catch (err) {
      return abort(spark, err);
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      const next = i;
      (result as Promise<void>).then(
        () => runFrom(kernel, spark, hooks, next),
        (err: unknown) => abort(spark, err),
      );
      return;
    }
  }
  if (spark.readyState !== Spark.OPEN) return;
  try {
    kernel.emit('connection', spark);
  } catch (err) {
    return abort(spark, err);
  }
  spark.release();
}

function abort(spark: Spark, err: unknown): void {
  spark.fail(err instanceof Error ? err : new Error(describe(err)));
  spark.end();
}
