import type { Kernel } from './kernel';
import { Spark } from './spark';

/** Run `onConnection` hooks, holding messages while async ones settle, then emit `connection`. */
export function announce(kernel: Kernel, spark: Spark): void {
  if (spark.readyState !== Spark.OPEN) return;
  const hooks = kernel.hooks.onConnection;
  let i = 0;
  const step = (): void => {
    while (hooks !== null && i < hooks.length) {
      const result = hooks[i++](spark);
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(step, (err) => {
          spark.fail(err instanceof Error ? err : new Error(String(err)));
          spark.end();
        });
        return;
      }
    }
    if (spark.readyState !== Spark.OPEN) return;
    kernel.emit('connection', spark);
    spark.release();
  };
  try {
    step();
  } catch (err) {
    spark.fail(err instanceof Error ? err : new Error(String(err)));
    spark.end();
  }
}
