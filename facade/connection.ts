import type { EventEmitter } from 'node:events';
import type { Spark } from '../core/spark';

type Listener = (...args: any[]) => unknown;

/**
 * Emit `connection` the way Primus 8 does: a listener declaring two
 * parameters `(spark, next)` is waited for before the next one runs, and
 * `next(err)` stops the rest (the kernel then reports the error and ends
 * the spark). Only when such a listener exists does this return a Promise.
 */
export function emitConnection(emitter: EventEmitter, spark: Spark): void | Promise<void> {
  const listeners = emitter.listeners('connection') as Listener[];
  if (!listeners.some((l) => l.length >= 2)) {
    for (const listener of listeners) listener.call(emitter, spark);
    return;
  }
  return (async () => {
    for (const listener of listeners) {
      if (listener.length < 2) {
        listener.call(emitter, spark);
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        listener.call(emitter, spark, (err?: unknown) => (err ? reject(err) : resolve()));
      });
    }
  })();
}
