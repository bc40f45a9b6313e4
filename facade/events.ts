import type { EventEmitter } from 'node:events';

type Listener = (...args: any[]) => unknown;

/**
 * Emit `event` with `arg` the way Primus 8 emits `connection` and `close`:
 * a listener declaring two parameters `(arg, next)` is waited for before
 * the next one runs, and `next(err)` stops the rest (the Promise rejects).
 * Only when such a listener exists does this return a Promise.
 */
export function emitAwaiting(emitter: EventEmitter, event: string, arg: unknown): void | Promise<void> {
  const listeners = emitter.listeners(event) as Listener[];
  if (!waitsForAny(listeners)) {
    for (const listener of listeners) listener.call(emitter, arg);
    return;
  }
  return (async () => {
    for (const listener of listeners) {
      if (listener.length < 2) {
        listener.call(emitter, arg);
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        listener.call(emitter, arg, (err?: unknown) => (err ? reject(err) : resolve()));
      });
    }
  })();
}

/** Does any listener declare `(arg, next)`? A loop, not `some` with a closure: this runs for every connection. */
function waitsForAny(listeners: Listener[]): boolean {
  for (let i = 0; i < listeners.length; i++) if (listeners[i].length >= 2) return true;
  return false;
}
