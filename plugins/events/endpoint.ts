import { ackTable, ackError, toWire, type AckCallback, type AckTable, type ReplyCheck } from './acks';
import { ackPacket, eventPacket, EVENT } from './wire';

/** A spark or a client, as the events code uses it. */
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
  /** Handle a reply packet's `data` (`[error, reply]`) for request `id`. */
  settle(id: unknown, data: unknown[]): void;
  /** Run the listeners of `event` with `args` (an array of the caller's, which may grow); when `id` asks for a reply, answer it from them. */
  dispatch(event: string, args: unknown[], id: number | undefined): void;
}

/** What {@link CallListeners} returns when `event` has no listener. */
export const NO_LISTENER = {};

/**
 * Calls `event`'s listeners on `peer` with `args` and returns the first
 * value one returned, or {@link NO_LISTENER}. EventEmitter's `emit` drops
 * return values, and replies may be return values, so each side calls its
 * listeners itself (Node's emitter on sparks, eventemitter3 on clients). A
 * listener that declares the `reply` parameter answers through it: what
 * it returns is not a reply (`(p, reply) => setTimeout(…)` returns a timer).
 */
export type CallListeners = (peer: Peer, event: string, args: unknown[], withReply: boolean) => unknown;

/**
 * Make a connection's endpoint: it sends events (a reply wanted when the
 * last argument is a function), makes requests, dispatches incoming events
 * to listeners and answers for them, by the listener's return value, its
 * Promise, or its `reply` call. `report` gets failures nobody waits for.
 */
export function endpoint(
  peer: Peer,
  settings: AckSettings,
  callListeners: CallListeners,
  report: (err: unknown, event: string) => void,
  check?: ReplyCheck,
): Endpoint {
  const acks = ackTable(settings.maxPendingAcks, settings.ackTimeout);
  const replier = (id: number, event: string): Reply => {
    let done = false;
    return (err, value) => {
      if (done) return;
      done = true;
      if (err == null) return void peer.write(ackPacket(id, null, value));
      const wire = toWire(err, event);
      // The requester gets a generic message; the original stays here.
      if (wire.code === 'ALLSPARK_EVENT_HANDLER' && (err as { code?: unknown }).code !== wire.code) report(err, event);
      peer.write(ackPacket(id, wire));
    };
  };
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
    settle(id, data) {
      acks.settle(id, data[0], data[1], check);
    },
    dispatch(event, args, id) {
      const reply = id === undefined ? undefined : replier(id, event);
      let result: unknown;
      try {
        if (reply !== undefined) args.push(reply);
        result = callListeners(peer, event, args, reply !== undefined);
      } catch (err) {
        return reply ? reply(err) : report(err, event);
      }
      const thenable = result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function';
      if (reply === undefined) {
        if (thenable) (result as PromiseLike<unknown>).then(undefined, (err) => report(err, event));
      } else if (result === NO_LISTENER) {
        reply(ackError('ALLSPARK_EVENT_HANDLER', `Nothing handles "${event}"`, { event }));
      } else if (thenable) {
        (result as PromiseLike<unknown>).then((value) => reply(null, value), reply);
      } else if (result !== undefined) {
        reply(null, result);
      }
    },
  };
}

