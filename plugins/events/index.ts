import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import { installEvents, type UnknownPolicy } from './server';
import { eventsClient, type EventsClientOptions } from './client';
import { EventMap } from './define';
import { useErrorFactory } from './acks';
import { AllsparkError, type ErrorCode } from '../../core/errors';

// Node code (server and Node clients) gets real AllsparkErrors; see acks.ts.
useErrorFactory((code, message) => new AllsparkError(code as ErrorCode, message));

export const eventsOptions = z
  .object({
    /** The application's events (`defineEvents({...})`): incoming payloads are validated against it. */
    map: z.instanceof(EventMap).optional(),
    /**
     * Incoming events the map does not declare: `reject` answers the sender
     * with ALLSPARK_EVENT_UNKNOWN, `ignore` drops them, `allow` delivers them
     * unvalidated. Default `reject` with a map, `allow` without one.
     */
    unknown: z.enum(['reject', 'ignore', 'allow']).optional(),
    /** ms an acknowledged emit or a request waits for its reply (ALLSPARK_ACK_TIMEOUT). Default 10000. */
    ackTimeout: z.number().int().positive().default(10_000),
    /** Requests one connection may have waiting; more fail with ALLSPARK_ACK_LIMIT. Default 1024. */
    maxPendingAcks: z.number().int().positive().default(1024),
  })
  .strict();

type EventsOptions = z.output<typeof eventsOptions>;

function policyOf(options: EventsOptions): UnknownPolicy {
  return options.unknown ?? (options.map === undefined ? 'allow' : 'reject');
}

/**
 * Typed events with acknowledgements, on primus-emitter's wire:
 * `spark.emit('chat', payload)`, `spark.on('chat', handler)`,
 * `await spark.ask('sum', payload, { timeout })`, the same on clients.
 * The server validates every incoming payload against the event map before
 * a handler runs.
 */
export const events = definePlugin({
  name: 'events',
  options: eventsOptions,
  server(ctx, options) {
    return installEvents(ctx, { ...options, map: options.map, unknown: policyOf(options) });
  },
  client: eventsClient,
  browser: 'plugins/events',
  clientOptions: (options): EventsClientOptions => ({
    names: options.map?.names ?? [],
    allow: policyOf(options) === 'allow',
    ackTimeout: options.ackTimeout,
    maxPendingAcks: options.maxPendingAcks,
  }),
});

export { defineEvents, EventMap } from './define';
export type { EventSchemas, EventSchema, TypedSpark, TypedClient, TypedEvents, PayloadIn, PayloadOut, ReplyOf, ReplyFn } from './define';
export type { UnknownPolicy } from './server';
export { ERROR_EVENT } from './wire';

declare module '../../core/spark' {
  interface SparkDecorations {
    /**
     * Send `event` and wait for the client's reply (`spark.request` is
     * Primus's HTTP request, so requests are `ask`). (events plugin)
     */
    ask(event: string, payload?: unknown, options?: { timeout?: number }): Promise<unknown>;
  }
}
