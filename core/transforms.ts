import type { Packet } from './types';

/** One step of a message pipeline; see {@link runPipeline}. */
export type Step<Self> = (self: Self, packet: Packet) => void | boolean | Promise<void | boolean>;

/** Where a pipeline's packet ends up. Shared constant objects, so no per-message closures. */
export interface Sink<Self> {
  /** Every step passed the packet on. */
  done(self: Self, packet: Packet): void;
  /** A step threw or rejected. */
  fail(self: Self, err: unknown): void;
  /** A step dropped the packet (returned or resolved `false`). */
  drop?(self: Self, packet: Packet): void;
}

/**
 * Run `steps` over `packet` in order, then hand it to `sink`. The loop
 * stays synchronous until a step returns a thenable; only then does the
 * rest continue in a `.then`, so a pipeline of sync steps allocates nothing.
 */
export function runPipeline<Self>(
  steps: readonly Step<Self>[],
  self: Self,
  packet: Packet,
  sink: Sink<Self>,
  start = 0,
): void {
  for (let i = start; i < steps.length; i++) {
    let result: ReturnType<Step<Self>>;
    try {
      result = steps[i](self, packet);
    } catch (err) {
      sink.fail(self, err);
      return;
    }
    if (result === false) {
      sink.drop?.(self, packet);
      return;
    }
    if (result != null && result !== true && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<void | boolean>).then(
        (value) => {
          if (value !== false) runPipeline(steps, self, packet, sink, i + 1);
          else sink.drop?.(self, packet);
        },
        (err) => sink.fail(self, err),
      );
      return;
    }
  }
  sink.done(self, packet);
}

/** Sync transforms are called without a usable `next`. */
function noNext(): void {}

/** A message transform in Primus's form: `fn(packet)` sync, or `fn(packet, next)` async (by declared arity). */
export type PrimusTransform<Self> = (
  this: Self,
  packet: Packet,
  next: (err?: unknown, keep?: boolean) => void,
) => unknown;

/**
 * Adapt a Primus-style transform into a pipeline step. Only the async form
 * allocates a Promise per message; the sync form stays on the fast path.
 */
export function fromPrimusTransform<Self>(fn: PrimusTransform<Self>): Step<Self> {
  if (fn.length >= 2) {
    return (self, packet) =>
      new Promise<boolean>((resolve, reject) => {
        fn.call(self, packet, (err, keep) => (err ? reject(err) : resolve(keep !== false)));
      });
  }
  return (self, packet) => (fn.call(self, packet, noNext) === false ? false : undefined);
}

/** Where Primus keeps the transforms added with `transform()`. */
export interface PrimusTransformers<Self = any> {
  incoming: PrimusTransform<Self>[];
  outgoing: PrimusTransform<Self>[];
}

/** A connection Primus's `transforms` can deliver to: it emits `data` and sends with `_write`. */
export interface TransformTarget {
  emit(event: string, ...args: unknown[]): boolean;
  _write(data: unknown): unknown;
}

/**
 * Primus's semi-internal `transforms(owner, connection, type, data, raw)`:
 * run `owner.transformers[type]` on `data` with `this` = `connection`, then
 * emit `data` on it (incoming) or hand the result to its `_write`
 * (outgoing). Plugins that carry virtual connections over one spark or
 * client (substream) route their messages through it. `false` from a
 * transform drops the message; `next(err)` emits `error` on `connection`.
 */
export function primusTransforms(
  owner: { transformers?: PrimusTransformers },
  connection: TransformTarget,
  type: 'incoming' | 'outgoing',
  data: unknown,
  raw?: unknown,
): void {
  const fns = owner.transformers?.[type] ?? [];
  const packet: Packet = { data };
  const step = (index: number): void => {
    const fn = fns[index];
    if (fn === undefined) {
      if (type === 'incoming') connection.emit('data', packet.data, raw);
      else connection._write(packet.data);
      return;
    }
    if (fn.length < 2) {
      if (fn.call(connection, packet, noNext) !== false) step(index + 1);
      return;
    }
    fn.call(connection, packet, (err, keep) => {
      if (err) connection.emit('error', err);
      else if (keep !== false) step(index + 1);
    });
  };
  step(0);
}
