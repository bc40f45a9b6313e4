import type { Kernel } from '../../core/kernel';
import { Spark } from '../../core/spark';
import type { Broker, BrokerPayload } from '../../core/broker';
import type { PreparedFrame } from '../../core/types';
import { AllsparkError, ErrorCodes, describe } from '../../core/errors';
import { unpackEnvelope } from './envelope';

/** Where a spark keeps the names of the rooms it is in. */
const JOINED = Symbol('rooms');
type Member = Spark & { [JOINED]?: Set<string> };
const NONE: ReadonlySet<string> = new Set();

/** The limits and names the table works with (the plugin's validated options). */
export interface RoomLimits {
  maxRoomsPerSpark: number;
  maxRoomName: number;
  /** Broker channel of room `r` is `channelPrefix + r`. */
  channelPrefix: string;
}

/**
 * Local room membership: room → sparks and spark → rooms, kept in step.
 * With a broker the node is subscribed to a room's channel exactly while the
 * room has local members, so other nodes' room messages reach only nodes
 * that have someone to deliver them to.
 */
export class RoomTable {
  /** Local members of each room; a room with no local member has no entry. */
  readonly members = new Map<string, Set<Spark>>();
  readonly #subscriptions = new Map<string, () => void>();
  #broker: Broker | null = null;

  constructor(
    readonly kernel: Kernel,
    readonly limits: RoomLimits,
  ) {}

  /** The rooms `spark` is in (a live, read-only view). */
  roomsOf(spark: Spark): ReadonlySet<string> {
    return (spark as Member)[JOINED] ?? NONE;
  }

  /** Add `spark` to `room`; an error when the name or the limit forbids it. Joining twice is a no-op. */
  join(spark: Spark, room: string): AllsparkError | undefined {
    const invalid = this.#check(room);
    if (invalid) return invalid;
    // A spark that ended has left every room for good: joining it again would leak.
    if (spark.readyState === Spark.CLOSED) return undefined;
    const joined = ((spark as Member)[JOINED] ??= new Set());
    if (joined.has(room)) return undefined;
    if (joined.size >= this.limits.maxRoomsPerSpark) {
      return new AllsparkError(
        ErrorCodes.ROOMS_LIMIT,
        `Spark ${spark.id} is already in ${joined.size} rooms (maxRoomsPerSpark); it cannot join "${room}"`,
      );
    }
    joined.add(room);
    let members = this.members.get(room);
    if (members === undefined) {
      this.members.set(room, (members = new Set()));
      this.#subscribe(room);
    }
    members.add(spark);
    spark.emit('joinroom', room);
    this.kernel.emit('joinroom', room, spark);
    return undefined;
  }

  /** Take `spark` out of `room`; false when it was not in it. */
  leave(spark: Spark, room: string): boolean {
    const joined = (spark as Member)[JOINED];
    if (joined === undefined || !joined.delete(room)) return false;
    this.#drop(spark, room);
    spark.emit('leaveroom', room);
    this.kernel.emit('leaveroom', room, spark);
    return true;
  }

  /** Take `spark` out of every room; returns the rooms it left. */
  leaveAll(spark: Spark): string[] {
    const joined = (spark as Member)[JOINED];
    if (joined === undefined || joined.size === 0) return [];
    const rooms = [...joined];
    joined.clear();
    for (const room of rooms) this.#drop(spark, room);
    spark.emit('leaveallrooms', rooms);
    this.kernel.emit('leaveallrooms', rooms, spark);
    return rooms;
  }

  /**
   * Follow the kernel's broker: called when plugins change. Moving to a new
   * broker (or to none) moves every room subscription with it.
   */
  useBroker(broker: Broker | null): void {
    if (broker === this.#broker) return;
    this.unsubscribeAll();
    this.#broker = broker;
    for (const room of this.members.keys()) this.#subscribe(room);
  }

  /** Drop every broker subscription (on close, or before switching brokers). */
  unsubscribeAll(): void {
    for (const stop of this.#subscriptions.values()) stop();
    this.#subscriptions.clear();
  }

  /** The channel a room's messages travel on between nodes. */
  channel(room: string): string {
    return this.limits.channelPrefix + room;
  }

  #check(room: unknown): AllsparkError | undefined {
    if (typeof room === 'string' && room.length > 0 && room.length <= this.limits.maxRoomName) return undefined;
    return new AllsparkError(
      ErrorCodes.ROOM_INVALID,
      `A room name must be a non-empty string of at most ${this.limits.maxRoomName} characters (maxRoomName); got ${describeRoom(room)}`,
    );
  }

  #drop(spark: Spark, room: string): void {
    const members = this.members.get(room);
    if (members === undefined || !members.delete(spark) || members.size > 0) return;
    this.members.delete(room);
    const stop = this.#subscriptions.get(room);
    this.#subscriptions.delete(room);
    stop?.();
  }

  #subscribe(room: string): void {
    if (this.#broker !== null) this.#subscriptions.set(room, this.#broker.subscribe(this.channel(room), this.#receive));
  }

  /**
   * Another node wrote to a room we have members in: frame its encoded
   * message once and hand it to every local member, skipping the excepted
   * ones and those that get it through a room listed earlier in the same
   * write (each spark gets a multi-room write once).
   */
  #receive = (payload: BrokerPayload, channel: string): void => {
    const room = channel.slice(this.limits.channelPrefix.length);
    const members = this.members.get(room);
    if (members === undefined) return;
    let envelope;
    try {
      envelope = unpackEnvelope(payload);
    } catch (err) {
      this.kernel.log('error', new AllsparkError(ErrorCodes.PARSE, `Malformed room message on "${channel}": ${describe(err)}`, { cause: err }));
      return;
    }
    const earlier = envelope.rooms.slice(0, Math.max(0, envelope.rooms.indexOf(room)));
    const except = envelope.except.length > 0 ? new Set(envelope.except) : null;
    const kernel = this.kernel;
    const perSpark = kernel.hooks.onSend !== null;
    let data: unknown;
    let prepared: PreparedFrame | undefined;
    try {
      if (perSpark) data = kernel.parser.decode(envelope.frame);
      else prepared = kernel.prepareFrame(envelope.frame);
    } catch (err) {
      kernel.log('error', new AllsparkError(ErrorCodes.PARSE, `Undecodable room message on "${channel}": ${describe(err)}`, { cause: err }));
      return;
    }
    for (const spark of members) {
      if (except !== null && except.has(spark.id)) continue;
      if (earlier.length > 0 && inAny(this.roomsOf(spark), earlier)) continue;
      if (prepared !== undefined) spark.writePrepared(prepared);
      else spark.write(data);
    }
  };
}

/** Is any of `rooms` in `joined`? */
export function inAny(joined: ReadonlySet<string>, rooms: readonly string[]): boolean {
  for (const room of rooms) if (joined.has(room)) return true;
  return false;
}

function describeRoom(room: unknown): string {
  return typeof room === 'string' ? `a string of ${room.length} characters` : typeof room;
}
