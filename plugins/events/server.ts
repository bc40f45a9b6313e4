import type { ServerContext } from '../../core/context';
import type { Spark } from '../../core/spark';
import { AllsparkError } from '../../core/errors';
import { endpoint, NO_LISTENER, type Endpoint, type AckSettings, type Peer } from './endpoint';
import { ackPacket, eventPacket, isPacket, ACK, ERROR_EVENT, type EventPacket } from './wire';
import { ackError, toWire } from './acks';
import { isReserved } from './reserved';
import { validate } from './validate';
import type { EventMap } from './define';
import type { PlainEmitter } from './plain';

/** What to do with an incoming event the map does not declare. */
export type UnknownPolicy = 'reject' | 'ignore' | 'allow';

export interface EventsServerSettings extends AckSettings {
  map: EventMap | undefined;
  unknown: UnknownPolicy;
}

const ENDPOINT = Symbol('events');
type WithEndpoint = Spark & { [ENDPOINT]?: Endpoint };

/**
 * The server half: sparks get a wire-sending `emit` for events and
 * `ask`; every incoming event packet is checked (name, reserved,
 * declared, payload schema) before any listener runs, and refused with an
 * answer to the sender otherwise. Event packets never reach `data`.
 */
export function installEvents(ctx: ServerContext, settings: EventsServerSettings): void {
  const { map, unknown } = settings;
  const kernel = ctx.kernel;
  const declared = new Set(map?.names ?? []);
  const baseEmit = kernel.Spark.prototype.emit;
  const checkReply = map === undefined ? undefined : (event: string, reply: unknown): unknown => {
    const schema = map.reply(event);
    if (schema === undefined) return reply;
    const checked = validate(schema, reply, event, 'reply');
    if (checked instanceof Error) throw checked;
    return checked.value;
  };
  const endpointOf = (spark: WithEndpoint): Endpoint =>
    (spark[ENDPOINT] ??= endpoint(spark, settings, callSparkListeners, (err, event) => reportFailure(spark, err, event), checkReply));
  /** Does `event` go to the client? Declared events always; others only under `allow`. */
  const isWire = (spark: Spark, event: unknown): event is string =>
    typeof event === 'string' && (declared.has(event) || (unknown === 'allow' && !isReserved(event) && !spark.reserved(event)));

  ctx.decorateSpark(
    'emit',
    {
      // `arguments` rather than a rest parameter: every `data` event comes through here,
      // and the local path must not allocate an array per message.
      value(this: Spark, event: string | symbol): boolean {
        // eslint-disable-next-line prefer-rest-params
        if (isWire(this, event)) return endpointOf(this).send(event, Array.prototype.slice.call(arguments, 1));
        // eslint-disable-next-line prefer-rest-params
        return baseEmit.apply(this, arguments as never);
      },
    },
    { override: true },
  );
  ctx.decorateSpark('ask', {
    value(this: Spark, event: string, payload?: unknown, options?: { timeout?: number }): Promise<unknown> {
      return endpointOf(this).request(event, payload, options?.timeout);
    },
  });
  ctx.hook('onMessage', (spark, packet) => {
    if (!isPacket(packet.data)) return undefined;
    receive(spark, packet.data);
    return false;
  });
  ctx.hook('onDisconnection', (spark) => (spark as WithEndpoint)[ENDPOINT]?.acks.rejectAll('The connection closed'));

  function receive(spark: Spark, packet: EventPacket): void {
    if (packet.type === ACK) return endpointOf(spark).settle(packet.id, packet.data);
    const event = packet.data[0];
    if (typeof event !== 'string') return refuse(spark, packet.id, ackError('ALLSPARK_EVENT_INVALID', 'An event name must be a string'));
    const schema = map?.payload(event);
    // Declared names were checked by defineEvents; others may be anything.
    if (schema === undefined && (isReserved(event) || spark.reserved(event))) {
      return refuse(spark, packet.id, ackError('ALLSPARK_EVENT_RESERVED', `"${event}" is reserved and cannot be sent as an event`, { event }));
    }
    if (schema === undefined) {
      if (unknown === 'allow') return endpointOf(spark).dispatch(event, packet.data.slice(1), packet.id);
      if (unknown === 'ignore') return;
      return refuse(spark, packet.id, ackError('ALLSPARK_EVENT_UNKNOWN', `Unknown event "${event}"`, { event }));
    }
    const checked = validate(schema, packet.data[1], event, 'payload');
    if (checked instanceof Error) return refuse(spark, packet.id, checked);
    endpointOf(spark).dispatch(event, [checked.value], packet.id);
  }

  /** Tell the sender why its event was refused: as the reply it asked for, or as an `allspark:error` event. */
  function refuse(spark: Spark, id: number | undefined, err: Error & { event?: string }): void {
    kernel.log('debug', err);
    const wire = toWire(err, err.event ?? '');
    spark.write(id === undefined ? eventPacket(ERROR_EVENT, wire) : ackPacket(id, wire));
  }
}

/** A listener failed with nobody to answer: the spark's `error` (if listened) and the kernel's log. */
function reportFailure(spark: Spark, err: unknown, event: string): void {
  spark.fail(err instanceof AllsparkError ? err : new AllsparkError('ALLSPARK_EVENT_HANDLER', `The handler of "${event}" failed: ${String((err as Error)?.message ?? err)}`, { cause: err }));
}

type Listener = Function & { listener?: Function };

/** Node's emitter: `rawListeners` keeps once-wrappers, which remove themselves (see `CallListeners`). */
function callSparkListeners(peer: Peer, event: string, args: unknown[], withReply: boolean): unknown {
  let result: unknown = NO_LISTENER;
  for (const fn of (peer as unknown as PlainEmitter).rawListeners(event) as Listener[]) {
    const value = fn.apply(peer, args);
    const declared = fn.listener ?? fn;
    if (result === NO_LISTENER || result === undefined) result = withReply && declared.length >= args.length ? undefined : value;
  }
  return result;
}
