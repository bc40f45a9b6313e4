import { AllsparkError, ErrorCodes } from '../../core/errors';
import type { Spark } from '../../core/spark';
import type { Client } from '../../core/client/client';
import type { InputOf, OptionsSchema, OutputOf } from '../../core/schema';
import { isReserved } from './reserved';

/**
 * A payload or reply schema: zod 3 (3.25+) or zod 4 (classic or mini),
 * whichever the application installed. Types are read from the schema
 * (zod's `_input`/`_output`, else Standard Schema's `~standard.types`);
 * values are checked with its `safeParse` (or `~standard.validate`).
 */
export type Schema = OptionsSchema;
/** One event: the schema of its payload, or `{ payload, reply }` when requests to it get a typed answer. */
export type EventSchema = Schema | { payload: Schema; reply?: Schema };
/** Every event of an application, by name. */
export type EventSchemas = Record<string, EventSchema>;

type PayloadSchema<D> = D extends Schema ? D : D extends { payload: infer P extends Schema } ? P : never;
/** What a sender passes for event `D` (the schema's input). */
export type PayloadIn<D> = InputOf<PayloadSchema<D>>;
/** What a server handler receives for event `D` (validated: the schema's output). */
export type PayloadOut<D> = OutputOf<PayloadSchema<D>>;
/** The reply to a request for event `D` (`unknown` without a reply schema). */
export type ReplyOf<D> = D extends Schema ? unknown : D extends { reply: infer R extends Schema } ? OutputOf<R> : unknown;

/** Is `value` a schema of either zod version (it has the Standard Schema property, zod 3.25+ and 4 alike)? */
export function isSchema(value: unknown): value is Schema {
  const standard = (value as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
  return typeof standard === 'object' && standard !== null && typeof standard.validate === 'function';
}

/** Events a spark or client emits itself; listening to them keeps the usual (untyped) signature. */
type OwnEvents = 'data' | 'end' | 'close' | 'error' | 'open' | 'drain' | 'readyStateChange' | 'heartbeat'
  | 'joinroom' | 'leaveroom' | 'leaveallrooms' | 'roomserror' | 'offline' | 'online' | 'destroy' | 'timeout'
  | 'reconnect' | 'reconnect scheduled' | 'reconnected' | 'reconnect timeout' | 'reconnect failed';

/** Answers a request from a listener: `reply(null, value)` or `reply(err)`; returning the value (or a Promise of it) does the same. */
export type ReplyFn<R> = (err: unknown, value?: R) => void;

/** `emit`, `on`, `ask` typed by an event map; `In` is what handlers receive. */
export interface TypedEvents<S extends EventSchemas, Side extends 'server' | 'client'> {
  emit<E extends keyof S & string>(event: E, payload: PayloadIn<S[E]>): boolean;
  emit<E extends keyof S & string>(event: E, payload: PayloadIn<S[E]>, ack: (err: Error | null, reply?: ReplyOf<S[E]>) => void): boolean;
  on<E extends keyof S & string>(
    event: E,
    handler: (payload: Side extends 'server' ? PayloadOut<S[E]> : PayloadIn<S[E]>, reply: ReplyFn<ReplyOf<S[E]>>) => ReplyOf<S[E]> | Promise<ReplyOf<S[E]>> | void,
  ): this;
  on(event: OwnEvents, listener: (...args: any[]) => void): this;
  once<E extends keyof S & string>(
    event: E,
    handler: (payload: Side extends 'server' ? PayloadOut<S[E]> : PayloadIn<S[E]>, reply: ReplyFn<ReplyOf<S[E]>>) => ReplyOf<S[E]> | Promise<ReplyOf<S[E]>> | void,
  ): this;
  once(event: OwnEvents, listener: (...args: any[]) => void): this;
  off(event: (keyof S & string) | OwnEvents, listener?: (...args: any[]) => void): this;
  /** Send `event` and wait for the reply; rejects with the remote error, ALLSPARK_ACK_TIMEOUT or ALLSPARK_ACK_CLOSED. */
  ask<E extends keyof S & string>(event: E, payload: PayloadIn<S[E]>, options?: { timeout?: number }): Promise<ReplyOf<S[E]>>;
}

type Typed<T, S extends EventSchemas, Side extends 'server' | 'client'> = Omit<T, 'emit' | 'on' | 'once' | 'off' | 'ask'> & TypedEvents<S, Side>;
/** A spark seen through an event map. */
export type TypedSpark<S extends EventSchemas> = Typed<Spark, S, 'server'>;
/** A client seen through an event map. */
export type TypedClient<S extends EventSchemas> = Typed<Client, S, 'client'>;

/**
 * An application's events, declared once with zod schemas and shared by
 * server and client code. Give it to the events plugin
 * (`kernel.use(events, { map })`), which validates every incoming payload
 * against it; view sparks and clients through it (`map.spark(spark)`,
 * `map.client(client)`) to have `emit`, `on` and `ask` typed.
 */
export class EventMap<S extends EventSchemas = EventSchemas> {
  readonly schemas: Readonly<S>;
  /** The event names, in declaration order. */
  readonly names: readonly string[];
  /** Schemas by name, looked up once per incoming event. */
  readonly #payloads = new Map<string, Schema>();
  readonly #replies = new Map<string, Schema>();

  constructor(schemas: S) {
    for (const name of Object.keys(schemas)) {
      if (isReserved(name)) {
        throw new AllsparkError(ErrorCodes.EVENT_RESERVED, `"${name}" is reserved and cannot be a typed event name`);
      }
      const def = schemas[name] as EventSchema;
      if (isSchema(def)) {
        this.#payloads.set(name, def);
        continue;
      }
      const reply = def?.reply;
      if (!isSchema(def?.payload) || (reply !== undefined && !isSchema(reply))) {
        throw new AllsparkError(ErrorCodes.EVENT_INVALID, `Event "${name}" needs a zod schema, or { payload, reply } schemas`);
      }
      this.#payloads.set(name, def.payload);
      if (reply !== undefined) this.#replies.set(name, reply);
    }
    this.schemas = Object.freeze({ ...schemas });
    this.names = Object.freeze(Object.keys(schemas));
  }

  /** The payload schema of `event`, if it is declared. */
  payload(event: string): Schema | undefined {
    return this.#payloads.get(event);
  }

  /** The reply schema of `event`, if it declares one. */
  reply(event: string): Schema | undefined {
    return this.#replies.get(event);
  }

  /** `spark`, typed by this map (the same object). */
  spark(spark: Spark): TypedSpark<S> {
    return spark as unknown as TypedSpark<S>;
  }

  /** `client`, typed by this map (the same object). */
  client(client: Client): TypedClient<S> {
    return client as unknown as TypedClient<S>;
  }
}

/** Declare an application's events: `defineEvents({ chat: z.object({ text: z.string().max(500) }) })`. */
export function defineEvents<S extends EventSchemas>(schemas: S): EventMap<S> {
  return new EventMap(schemas);
}
