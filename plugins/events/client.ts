import type { ClientPluginHalf } from '../../core/client/types';
import type { Client } from '../../core/client/client';
import { Endpoint } from './endpoint';
import { isPacket, ACK, ERROR_EVENT, type EventPacket } from './wire';
import { ackError } from './acks';
import { isReserved } from './reserved';

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
  const endpoint = new Endpoint(client, options, (err) => client.emit('error', err));
  const baseEmit = client.emit;
  const isWire = (event: unknown): event is string =>
    typeof event === 'string' && (names.has(event) || (options.allow && !isReserved(event) && !client.reserved(event)));

  const self = client as Client & { ask(event: string, payload?: unknown, o?: { timeout?: number }): Promise<unknown> };
  self.emit = function emit(this: Client, event: string | symbol, ...args: unknown[]): boolean {
    return isWire(event) ? endpoint.send(event, args) : baseEmit.apply(this, [event, ...args] as never);
  };
  self.ask = (event, payload, o) => endpoint.request(event, payload, o?.timeout);
  client.transform('incoming', (packet) => {
    if (!isPacket(packet.data)) return undefined;
    receive(packet.data);
    return false;
  });
  const closed = (): void => endpoint.acks.rejectAll('The connection closed');
  client.on('close', closed);
  client.on('end', closed);

  function receive(packet: EventPacket): void {
    if (packet.type === ACK) return endpoint.settle(packet);
    const event = packet.data[0];
    if (typeof event !== 'string') return;
    if (event === ERROR_EVENT) {
      const e = (packet.data[1] ?? {}) as { code?: string; message?: string; event?: string; path?: string };
      client.emit('error', ackError(e.code ?? 'ALLSPARK_EVENT_INVALID', e.message ?? 'The server refused an event', e));
      return;
    }
    if (isReserved(event) || client.reserved(event)) return;
    endpoint.dispatch(event, packet.data.slice(1), packet.id);
  }
  return () => endpoint.acks.rejectAll('The client was destroyed');
};
