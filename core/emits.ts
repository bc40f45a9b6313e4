/** Anything with `emit` (Spark, Client). */
interface Emitter {
  emit(event: string, ...args: unknown[]): boolean;
}

/** Parser for {@link emits}: call `next(err)` to emit `error`, `next(undefined, value)` to emit `value`. */
export type EmitsParser = (next: (err?: unknown, value?: unknown) => void, ...args: unknown[]) => void;

/**
 * Primus's `emits(event, parser?)`: a function that re-emits its arguments
 * as `event` on `target`, handy as a callback for other emitters. With a
 * parser, `null` emits no arguments and `undefined` the original ones.
 */
export function emits(target: Emitter, event: string, parser?: EmitsParser): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    if (!parser) {
      target.emit(event, ...args);
      return;
    }
    parser((err, value) => {
      if (err) return void target.emit('error', err);
      if (value === null) target.emit(event);
      else if (value === undefined) target.emit(event, ...args);
      else target.emit(event, value);
    }, ...args);
  };
}

/** Event names the framework uses itself (listeners for them are internal or reserved). */
export function isReserved(event: string, names: ReadonlySet<string>): boolean {
  return /^(incoming|outgoing)::/.test(event) || names.has(event);
}
