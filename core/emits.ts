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

/**
 * Is an event one the framework emits itself? Primus's shape: a function
 * with the names in `events`, which plugins extend
 * (`primus.Spark.prototype.reserved.events.joinroom = 1`).
 */
export interface ReservedCheck {
  (event: string): boolean;
  readonly events: Record<string, unknown>;
}

/** A {@link ReservedCheck} for `names` plus every `incoming::*` and `outgoing::*` event. */
export function reservedCheck(names: Iterable<string>): ReservedCheck {
  const events: Record<string, unknown> = Object.create(null);
  for (const name of names) events[name] = 1;
  function reserved(event: string): boolean {
    return /^(incoming|outgoing)::/.test(event) || event in events;
  }
  return Object.assign(reserved, { events });
}
