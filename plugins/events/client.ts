import type { ClientPluginHalf } from '../../core/client/types';
import type { Client } from '../../core/client/client';
import { endpoint as makeEndpoint, NO_LISTENER } from './endpoint';
import { isPacket, ACK, ERROR_EVENT, type EventPacket, type WireError } from './wire';
import { ackError } from './acks';
import type { PlainEmitter } from './plain';

/** What the client half learns from the server's options. */
export interface EventsClientOptions {
  /** Declared event names: `emit` sends these to the server. */
  names: readonly string[];
  /** Send any other non-reserved event too (the server's `unknown: 'allow'`). */
  allow: boolean;
  ackTimeout: number;
  maxPendingAcks: number;
}

/**
 * The client half: `emit` sends declared events to the server (and any
 * non-reserved one under `allow`), `ask` waits for the reply, incoming
 * events reach listeners (which may answer the server's requests) and
 * never `data`. Errors the server reports arrive as `error` events with a
 * code. Waiting requests are rejected when the connection closes.
 * The server validates; the client trusts what the server sends.
 */
export const eventsClient: ClientPluginHalf<EventsClientOptions> = (client, options) => {
  const names = new Set(options.names);
  const endpoint = makeEndpoint(client, options, callClientListeners, (err) => (client as unknown as PlainEmitter).emit('error', err));
  const baseEmit = client.emit;
  const isWire = (event: unknown): event is string =>
    typeof event === 'string' && (names.has(event) || (options.allow && !client.reserved(event)));

  // `emit` is replaced by one that takes the run-time names of the event map, not only ClientEvents.
  const self = client as unknown as Omit<Client, 'emit'> & PlainEmitter & { ask(event: string, payload?: unknown, o?: { timeout?: number }): Promise<unknown> };
  // `arguments`, no rest parameter: the message path emits `data` through here and must not allocate.
  self.emit = function emit(this: Client, event: string | symbol): boolean {
    // eslint-disable-next-line prefer-rest-params
    return isWire(event) ? endpoint.send(event, ([] as unknown[]).slice.call(arguments, 1)) : baseEmit.apply(this, arguments as never);
  };
  self.ask = (event, payload, o = {}) => endpoint.request(event, payload, o.timeout);
  client.transform('incoming', (packet) => {
    if (!isPacket(packet.data)) return undefined;
    receive(packet.data);
    return false;
  });
  const reject = (): void => endpoint.acks.rejectAll('The connection closed');
  // With a ledger (the continuity plugin) requests and replies are carried over a blip in its outbox and
  // stream: they wait until the session is resumed, or are rejected once it is lost.
  client.on('close', () => client.ledger || reject());
  client.on('end', reject);
  (client as unknown as Ee3).on('continuity', (e: { recovered: boolean }) => e.recovered || reject());

  function receive(packet: EventPacket): void {
    if (packet.type === ACK) return endpoint.acks.settle(packet.id, packet.data[0], packet.data[1]);
    const event = packet.data[0];
    if (typeof event !== 'string') return;
    if (event === ERROR_EVENT) {
      const e = Object(packet.data[1]) as WireError;
      client.emit('error', ackError(e.code, e.message, e));
      return;
    }
    // The client's own reserved list: what it emits itself (open, data, reconnect, incoming::*, …).
    if (client.reserved(event)) return;
    endpoint.dispatch(client, event, packet.data.slice(1), packet.id);
  }
  return reject;
};

type Ee3Entry = { fn: Function; context: unknown; once: boolean };
type Ee3 = { _events: Record<string, Ee3Entry | Ee3Entry[] | undefined>; removeListener(e: string, fn: Function, ctx?: unknown, once?: boolean): unknown; on(e: string, fn: Function): unknown };

/** eventemitter3 (the client's emitter): its listener table, once-listeners removed first as its `emit` does (see `CallListeners`). */
function callClientListeners(target: object, event: string, args: unknown[], withReply: boolean): unknown {
  let result: unknown = NO_LISTENER;
  const ee = target as Ee3;
  // A copy: once-listeners remove themselves while we walk.
  for (const listener of ([] as Ee3Entry[]).concat(ee._events[event] || [])) {
    if (listener.once) ee.removeListener(event, listener.fn, undefined, true);
    const value = listener.fn.apply(listener.context, args);
    if (result === NO_LISTENER || result === undefined) result = withReply && listener.fn.length >= args.length ? undefined : value;
  }
  return result;
}
