import type { Spark } from '../../core/spark';
import { eventPacket } from '../events/wire';
import type { Rooms } from './service';

/** A spark or its id. */
export type SparkRef = Spark | string;

/**
 * One or more rooms to write to, as `primus.room(name)` in primus-rooms:
 * `except(ids)` leaves sparks out, `write(data)` sends to every member once
 * (a spark in two of the rooms gets it once), `clients()` lists members.
 */
export class RoomTarget {
  readonly #rooms: Rooms;
  readonly #names: readonly string[];
  #except: Set<string> | null = null;

  constructor(rooms: Rooms, names: readonly string[]) {
    this.#rooms = rooms;
    this.#names = names;
  }

  /** The rooms this target writes to. */
  get names(): readonly string[] {
    return this.#names;
  }

  /** Leave these sparks (or ids) out of the next writes. Chainable. */
  except(ids: SparkRef | Iterable<SparkRef>): this {
    const except = (this.#except ??= new Set());
    const list = typeof ids === 'string' || !isIterable(ids) ? [ids] : ids;
    for (const ref of list) except.add(typeof ref === 'string' ? ref : ref.id);
    return this;
  }

  /**
   * Send `data` to every member, on this node and (with a broker) on the
   * others: encoded once, framed once for all local members. False when it
   * could not be encoded or published.
   */
  write(data: unknown): boolean {
    return this.#rooms.broadcast(this.#names, this.#except, data);
  }

  /** Send the typed event `event` with `payload` to every member (the events plugin's wire format). */
  emit(event: string, payload?: unknown): boolean {
    return this.write(eventPacket(event, payload));
  }

  /** Ids of the members, cluster-wide with a broker. Promise, or `fn(err, ids)`. */
  clients(): Promise<string[]>;
  clients(fn: (err: Error | null, ids?: string[]) => void): void;
  clients(fn?: (err: Error | null, ids?: string[]) => void): Promise<string[]> | void {
    return callbackOr(this.#rooms.clients(this.#names), fn);
  }

  /** The members connected to this node (sync). */
  sparks(): Spark[] {
    return this.#rooms.localMembers(this.#names);
  }

  /** Take every local member out of these rooms. */
  empty(): this {
    for (const spark of this.sparks()) for (const room of this.#names) this.#rooms.table.leave(spark, room);
    return this;
  }
}

function isIterable(value: unknown): value is Iterable<SparkRef> {
  return value !== null && typeof value === 'object' && Symbol.iterator in value;
}

/** Settle `fn(err, value)` from `promise` when given, else return the promise. */
export function callbackOr<T>(promise: Promise<T>, fn?: (err: Error | null, value?: T) => void): Promise<T> | void {
  if (typeof fn !== 'function') return promise;
  promise.then((value) => fn(null, value), (err: Error) => fn(err));
}
