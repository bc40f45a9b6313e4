import { AckTable, ackError, toWire, type AckCallback, type ReplyCheck } from './acks';
import { ackPacket, eventPacket, EVENT, type EventPacket } from './wire';

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

const NO_LISTENER = Symbol('no listener');

/**
 * One connection's end of the events protocol, the same on both sides:
 * sends events (with a reply wanted when the last argument is a function),
 * makes requests, dispatches incoming events to listeners and answers for
 * them, by the listener's return value, its Promise, or its `reply` call.
 */
export class Endpoint {
  readonly acks: AckTable;

  constructor(
    readonly peer: Peer,
    settings: AckSettings,
    /** Where failures that have no requester to go to are reported. */
    readonly report: (err: unknown, event: string) => void,
    readonly check?: ReplyCheck,
  ) {
    this.acks = new AckTable(settings.maxPendingAcks, settings.ackTimeout);
  }

  /** Send `event`; a function as the last argument receives the reply `(err, reply)`. */
  send(event: string, args: unknown[]): boolean {
    const last = args.length > 0 ? args[args.length - 1] : undefined;
    if (typeof last !== 'function') return this.peer.write({ type: EVENT, data: [event, ...args] });
    const id = this.acks.add(event, last as AckCallback);
    if (typeof id !== 'number') {
      (last as AckCallback)(id);
      return false;
    }
    const packet: EventPacket = { type: EVENT, data: [event, ...args.slice(0, -1)], id };
    return this.peer.write(packet);
  }

  /** Send `event` and resolve with the reply (rejects with the remote error, a timeout, a close). */
  request(event: string, payload: unknown, timeout?: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.acks.add(event, (err, reply) => (err ? reject(err) : resolve(reply)), timeout);
      if (typeof id !== 'number') reject(id);
      else this.peer.write(eventPacket(event, payload, id));
    });
  }

  /** Handle a reply packet. */
  settle(packet: EventPacket): void {
    this.acks.settle(packet.id, packet.data[0], packet.data[1], this.check);
  }

  /** Run the listeners of `event`; when `id` asks for a reply, answer it from them. */
  dispatch(event: string, args: unknown[], id: number | undefined): void {
    const reply = id === undefined ? undefined : this.#replier(id, event);
    let result: unknown;
    try {
      result = reply === undefined ? callListeners(this.peer, event, args, false) : callListeners(this.peer, event, [...args, reply], true);
    } catch (err) {
      if (reply === undefined) this.report(err, event);
      else reply(err);
      return;
    }
    if (reply === undefined) {
      if (isThenable(result)) result.then(undefined, (err) => this.report(err, event));
      return;
    }
    if (result === NO_LISTENER) reply(ackError('ALLSPARK_EVENT_HANDLER', `Nothing handles "${event}"`, { event }));
    else if (isThenable(result)) result.then((value) => reply(null, value), reply);
    else if (result !== undefined) reply(null, result);
  }

  #replier(id: number, event: string): Reply {
    let done = false;
    return (err, value) => {
      if (done) return;
      done = true;
      if (err !== null && err !== undefined) {
        const wire = toWire(err, event);
        // The requester gets a generic message; the original stays here.
        if (wire.code === 'ALLSPARK_EVENT_HANDLER' && err !== wire) this.report(err, event);
        this.peer.write(ackPacket(id, wire));
      } else {
        this.peer.write(ackPacket(id, null, value));
      }
    };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

type Listener = Function & { listener?: Function };
type NodeEmitter = { rawListeners(event: string): Listener[] };
type Ee3Entry = { fn: Function; context: unknown; once: boolean };
type Ee3 = { _events?: Record<string, Ee3Entry | Ee3Entry[]>; removeListener(e: string, fn: Function, ctx?: unknown, once?: boolean): unknown };

/**
 * Call `event`'s listeners on `peer` with `args` and return the first value
 * one returned (`NO_LISTENER` when there is none). EventEmitter's `emit`
 * drops return values, and replies may be return values, so listeners are
 * called here: Node's through `rawListeners` (once-wrappers remove
 * themselves), eventemitter3's (the client) through its listener table.
 * A listener that declares the `reply` parameter answers through it: what
 * it returns is not a reply (`(p, reply) => setTimeout(…)` returns a timer).
 */
function callListeners(peer: Peer, event: string, args: unknown[], withReply: boolean): unknown {
  let result: unknown = NO_LISTENER;
  const take = (fn: Function, value: unknown): void => {
    if (withReply && fn.length >= args.length) value = undefined;
    if (result === NO_LISTENER || result === undefined) result = value;
  };
  if (typeof (peer as unknown as NodeEmitter).rawListeners === 'function') {
    for (const fn of (peer as unknown as NodeEmitter).rawListeners(event)) take(fn.listener ?? fn, fn.apply(peer, args));
    return result;
  }
  const ee = peer as unknown as Ee3;
  const entry = ee._events?.[event];
  if (entry === undefined) return result;
  for (const listener of Array.isArray(entry) ? entry.slice() : [entry]) {
    if (listener.once) ee.removeListener(event, listener.fn, undefined, true);
    take(listener.fn, listener.fn.apply(listener.context, args));
  }
  return result;
}
