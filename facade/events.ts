import type { EventEmitter } from 'node:events';
import type { Spark } from '../core/spark';
import type { AllsparkError } from '../core/errors';
import type { PrimusParser } from './tables';
import type { ResolvedPrimusOptions } from './options';
import type { PrimusPlugin } from './ark';
import type { DestroyOptions } from './primus';

/** `next` of a Primus listener that declares two parameters: the next listener waits for it. */
export type PrimusNext = (err?: unknown) => void;

/**
 * Events of the {@link Primus} facade (Primus 8's). Primus plugins that
 * emit their own on the server (primus-rooms' `joinroom`, say) are typed by
 * augmenting this interface: `declare module 'allspark' { interface PrimusEvents { … } }`.
 */
export interface PrimusEvents {
  /** A spark connected. A listener `(spark, next)` holds the next ones until `next()`. */
  connection: [spark: Spark, next: PrimusNext];
  disconnection: [spark: Spark];
  /** Emitted on the tick after construction, as Primus does. */
  initialised: [transformer: unknown, parser: PrimusParser & { name?: string }, options: ResolvedPrimusOptions];
  plugin: [name: string, plugin: PrimusPlugin];
  plugout: [name: string, plugin: PrimusPlugin];
  /** `destroy()` finished. A listener `(options, next)` is waited for. */
  close: [options: DestroyOptions, next: PrimusNext];
  log: [level: string, ...args: unknown[]];
  /** The kernel's `overflow` and `overload` (see `KernelEvents`), passed on. */
  overflow: [spark: Spark, err: AllsparkError, buffered: number];
  overload: [err: AllsparkError];
}

type Listener = (...args: any[]) => unknown;

/**
 * Emit `event` with `arg` the way Primus 8 emits `connection` and `close`:
 * a listener declaring two parameters `(arg, next)` is waited for before
 * the next one runs, and `next(err)` stops the rest (the Promise rejects).
 * Only when such a listener exists does this return a Promise.
 */
export function emitAwaiting(emitter: EventEmitter, event: string, arg: unknown): void | Promise<void> {
  // One plain listener, the usual `connection` handler: call it without copying the listener list.
  const only = (emitter as unknown as { _events?: Record<string, unknown> })._events?.[event];
  if (typeof only === 'function' && only.length < 2 && (only as { listener?: unknown }).listener === undefined) {
    (only as Listener).call(emitter, arg);
    return;
  }
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
