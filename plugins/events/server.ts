import type { ServerContext } from '../../core/context';
import type { Spark } from '../../core/spark';
import { AllsparkError } from '../../core/errors';
import { endpoint, answer, conclude, isThenable, NO_LISTENER, type Endpoint, type AckSettings, type Peer, type Report } from './endpoint';
import { ackPacket, eventPacket, isPacket, ACK, ERROR_EVENT, type EventPacket } from './wire';
import { ackError, toWire } from './acks';
import { isReserved } from './reserved';
import { validate } from './validate';
import { carrierOf, type Carrier } from './carry';
import { jsonEnvelopeLayer } from './json-envelope';
import type { EventMap } from './define';
import type { PlainEmitter } from './plain';

/** What to do with an incoming event the map does not declare. */
export type UnknownPolicy = 'reject' | 'ignore' | 'allow';

export interface EventsServerSettings extends AckSettings {
  map: EventMap | undefined;
  unknown: UnknownPolicy;
}

const ENDPOINT = Symbol('events');
/** A connection's endpoint with what answering needs: where to write, whom to report to. */
interface Link {
  endpoint: Endpoint;
  peer: Peer;
  report: Report;
}
type WithEndpoint = { [ENDPOINT]?: Link };
type Listener = Function & { listener?: Function };

/**
 * The server half: sparks get a wire-sending `emit` for events and
 * `ask`; every incoming event packet is checked (name, reserved,
 * declared, payload schema) before any listener runs, and refused with an
 * answer to the sender otherwise. Event packets never reach `data`.
 * Returns its teardown.
 */
export function installEvents(ctx: ServerContext, settings: EventsServerSettings): () => void {
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
  const make = (peer: Peer, report: Report): Link => ({ endpoint: endpoint(peer, settings, callSparkListeners, report), peer, report });

  /**
   * A spark's endpoint. With a resumable session (the continuity plugin)
   * the endpoint is the session's: requests and replies are written to the
   * session, so they are replayed after a blip, and the resumed spark
   * settles what the old one asked.
   */
  const linkOf = (spark: Spark & WithEndpoint): Link => {
    let found = spark[ENDPOINT];
    if (found !== undefined) return found;
    const carrier = carrierOf(spark) as (Carrier & WithEndpoint) | undefined;
    if (carrier === undefined) found = make(spark, (err, event) => reportFailure(spark, err, event));
    else if ((found = carrier[ENDPOINT]) === undefined) {
      // Failures go to the session's spark of the moment (the session outlives its first one).
      const report: Report = (err, event) => (carrier.spark === null ? kernel.log('error', failure(err, event)) : reportFailure(carrier.spark, err, event));
      const made = (found = carrier[ENDPOINT] = make(carrier, report));
      carrier.once('close', () => made.endpoint.acks.rejectAll('The session ended'));
    }
    return (spark[ENDPOINT] = found);
  };
  const endpointOf = (spark: Spark): Endpoint => linkOf(spark).endpoint;
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
  // primus-emitter's envelope read and written without parsing or serializing it (json-envelope.ts).
  ctx.layerParser(jsonEnvelopeLayer);
  ctx.hook('onMessage', (spark, packet) => {
    if (!isPacket(packet.data)) return undefined;
    receive(spark, packet.data);
    return false;
  });
  ctx.hook('onDisconnection', (spark) => {
    const found = (spark as WithEndpoint)[ENDPOINT];
    // A session that lives on carries its requests to the next spark; it rejects them when it closes.
    if (found !== undefined && carrierOf(spark) === undefined) found.endpoint.acks.rejectAll('The connection closed');
  });
  // A session resumed with a gap may have lost requests or replies in either direction.
  const gap = (_spark: Spark, info: { recovered: boolean; session?: WithEndpoint }): void => {
    if (!info.recovered) info.session?.[ENDPOINT]?.endpoint.acks.rejectAll('The session lost messages');
  };
  const kernelEvents = kernel as unknown as PlainEmitter & { on(e: string, fn: Function): unknown; off(e: string, fn: Function): unknown };
  kernelEvents.on('continuity', gap);

  function receive(spark: Spark, packet: EventPacket): void {
    const data = packet.data;
    if (packet.type === ACK) return endpointOf(spark).acks.settle(packet.id, data[0], data[1], checkReply);
    const event = data[0];
    if (typeof event !== 'string') return refuse(spark, packet.id, ackError('ALLSPARK_EVENT_INVALID', 'An event name must be a string'));
    const schema = map?.payload(event);
    if (schema !== undefined) {
      // Zod runs only for declared events.
      const checked = validate(schema, data[1], event, 'payload');
      if (checked instanceof Error) return refuse(spark, packet.id, checked);
      return deliver(spark, event, checked.value, packet.id);
    }
    // Declared names were checked by defineEvents; others may be anything.
    if (isReserved(event) || event in spark.reserved.events) {
      return refuse(spark, packet.id, ackError('ALLSPARK_EVENT_RESERVED', `"${event}" is reserved and cannot be sent as an event`, { event }));
    }
    if (unknown === 'ignore') return;
    if (unknown !== 'allow') return refuse(spark, packet.id, ackError('ALLSPARK_EVENT_UNKNOWN', `Unknown event "${event}"`, { event }));
    if (data.length === 2) return deliver(spark, event, data[1], packet.id);
    endpointOf(spark).dispatch(spark, event, data.slice(1), packet.id);
  }

  /**
   * One payload for `event`. The common case (one listener that answers by
   * its return value, or none is asked) is called here directly: no reply
   * closure, no argument array, no Promise; a synchronous value is answered
   * at once. Everything else goes through the endpoint's dispatch.
   */
  function deliver(spark: Spark, event: string, payload: unknown, id: number | undefined): void {
    const fn = (spark as unknown as { _events: Record<string, Listener | Listener[] | undefined> })._events[event];
    if (typeof fn !== 'function' || (id !== undefined && (fn.listener ?? fn).length >= 2)) {
      return endpointOf(spark).dispatch(spark, event, [payload], id);
    }
    let result: unknown;
    try {
      result = fn.call(spark, payload);
    } catch (err) {
      if (id === undefined) return reportFailure(spark, err, event);
      const link = linkOf(spark);
      return answer(link.peer, link.report, id, event, err);
    }
    if (id === undefined) {
      // Only a Promise has anything left to settle (its rejection is reported); a plain value needs no endpoint.
      if (isThenable(result)) conclude(linkOf(spark).report, event, result);
      return;
    }
    const link = linkOf(spark);
    if (isThenable(result)) {
      conclude(link.report, event, result, (err, value) => answer(link.peer, link.report, id, event, err, value));
    } else if (result !== undefined) {
      answer(link.peer, link.report, id, event, null, result);
    }
  }

  /** Tell the sender why its event was refused: as the reply it asked for, or as an `allspark:error` event. */
  function refuse(spark: Spark, id: number | undefined, err: Error & { event?: string }): void {
    kernel.log('debug', err);
    const wire = toWire(err, err.event ?? '');
    spark.write(id === undefined ? eventPacket(ERROR_EVENT, wire) : ackPacket(id, wire));
  }
  return () => void kernelEvents.off('continuity', gap);
}

/** A listener's failure as an AllsparkError (ALLSPARK_EVENT_HANDLER unless it is one). */
function failure(err: unknown, event: string): AllsparkError {
  return err instanceof AllsparkError ? err : new AllsparkError('ALLSPARK_EVENT_HANDLER', `The handler of "${event}" failed: ${String((err as Error)?.message ?? err)}`, { cause: err });
}

/** A listener failed with nobody to answer: the spark's `error` (if listened) and the kernel's log. */
function reportFailure(spark: Spark, err: unknown, event: string): void {
  spark.fail(failure(err, event));
}

/** Node's emitter: `rawListeners` keeps once-wrappers, which remove themselves (see `CallListeners`). */
function callSparkListeners(target: object, event: string, args: unknown[], withReply: boolean): unknown {
  let result: unknown = NO_LISTENER;
  for (const fn of (target as PlainEmitter).rawListeners(event) as Listener[]) {
    const value = fn.apply(target, args);
    const declared = fn.listener ?? fn;
    if (result === NO_LISTENER || result === undefined) result = withReply && declared.length >= args.length ? undefined : value;
  }
  return result;
}
