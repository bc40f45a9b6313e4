import { ackTable, ackError, toWire, type AckCallback, type AckTable } from './acks';
import { ackPacket, eventPacket, EVENT } from './wire';

/** Where a connection's events and replies are written: a spark (or its resumable session) or a client. */
export interface Peer {
  write(data: unknown): boolean;
}

/** Answers a request: `(null, value)` or `(err)`; only the first call counts. */
export type Reply = (err: unknown, value?: unknown) => void;

/** Limits of one connection's requests (the plugin's options). */
export interface AckSettings {
  ackTimeout: number;
  maxPendingAcks: number;
}

/** One connection's end of the events protocol, the same on both sides (see {@link endpoint}). */
export interface Endpoint {
  readonly acks: AckTable;
  /** Send `event`; a function as the last argument receives the reply `(err, reply)`. */
  send(event: string, args: unknown[]): boolean;
  /** Send `event` and resolve with the reply (rejects with the remote error, a timeout, a close). */
  request(event: string, payload: unknown, timeout?: number): Promise<unknown>;
  /**
   * Run the listeners of `event` on `target` (the spark or client that
   * received it) with `args` (an array of the caller's, which may grow);
   * when `id` asks for a reply, answer it from them.
   */
  dispatch(target: object, event: string, args: unknown[], id: number | undefined): void;
}

/** What {@link CallListeners} returns when `event` has no listener. */
export const NO_LISTENER = {};

/**
 * Calls `event`'s listeners on `target` with `args` and returns the first
 * value one returned, or {@link NO_LISTENER}. EventEmitter's `emit` drops
 * return values, and replies may be return values, so each side calls its
 * listeners itself (Node's emitter on sparks, eventemitter3 on clients). A
 * listener that declares the `reply` parameter answers through it: what
 * it returns is not a reply (`(p, reply) => setTimeout(…)` returns a timer).
 */
export type CallListeners = (target: object, event: string, args: unknown[], withReply: boolean) => unknown;

/** Is `value` a Promise (or any thenable)? */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';

/** Failures nobody waits for (a listener threw or rejected outside a request). */
export type Report = (err: unknown, event: string) => void;

/**
 * Answer request `id` on `peer`: `(null, value)` or `(err)`. Errors
 * without a code reach the requester as a generic ALLSPARK_EVENT_HANDLER;
 * the original is reported here.
 */
export function answer(peer: Peer, report: Report, id: number, event: string, err: unknown, value?: unknown): void {
  if (err == null) return void peer.write(ackPacket(id, null, value));
  const wire = toWire(err, event);
  if (wire.code === 'ALLSPARK_EVENT_HANDLER' && (err as { code?: unknown }).code !== wire.code) report(err, event);
  peer.write(ackPacket(id, wire));
}

/**
 * Settle what the listeners of `event` returned: with `reply` (a request)
 * a value answers at once and a Promise when it settles; without, a
 * rejection nobody waits for is reported.
 */
export function conclude(report: Report, event: string, result: unknown, reply?: Reply): void {
  if (reply === undefined) {
    if (isThenable(result)) result.then(undefined, (err) => report(err, event));
  } else if (result === NO_LISTENER) {
    reply(ackError('ALLSPARK_EVENT_HANDLER', `Nothing handles "${event}"`, { event }));
  } else if (isThenable(result)) {
    result.then((value) => reply(null, value), reply);
  } else if (result !== undefined) {
    reply(null, result);
  }
}

/**
 * Make a connection's endpoint: it sends events (a reply wanted when the
 * last argument is a function), makes requests, dispatches incoming events
 * to listeners and answers for them, by the listener's return value, its
 * Promise, or its `reply` call. `report` gets failures nobody waits for.
 */
export function endpoint(peer: Peer, settings: AckSettings, callListeners: CallListeners, report: Report): Endpoint {
  const acks = ackTable(settings.maxPendingAcks, settings.ackTimeout);
  return {
    acks,
    send(event, args) {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as AckCallback) : undefined;
      const packet: { type: number; data: unknown[]; id?: number } = { type: EVENT, data: [event, ...args] };
      if (ack !== undefined) {
        const id = acks.add(event, ack);
        if (typeof id !== 'number') return ack(id), false;
        packet.id = id;
      }
      return peer.write(packet);
    },
    request(event, payload, timeout) {
      return new Promise((resolve, reject) => {
        const id = acks.add(event, (err, reply) => (err ? reject(err) : resolve(reply)), timeout);
        if (typeof id !== 'number') reject(id);
        else peer.write(eventPacket(event, payload, id));
      });
    },
    dispatch(target, event, args, id) {
      let done = false;
      const reply: Reply | undefined = id === undefined ? undefined : (err, value) => {
        if (done) return;
        done = true;
        answer(peer, report, id, event, err, value);
      };
      let result: unknown;
      try {
        if (reply !== undefined) args.push(reply);
        result = callListeners(target, event, args, reply !== undefined);
      } catch (err) {
        return reply ? reply(err) : report(err, event);
      }
      conclude(report, event, result, reply);
    },
  };
}
