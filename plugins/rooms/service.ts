import type { Kernel } from '../../core/kernel';
import type { Spark } from '../../core/spark';
import type { Broker } from '../../core/broker';
import type { Frame } from '../../core/types';
import { AllsparkError, ErrorCodes } from '../../core/errors';
import { RoomTable, type RoomLimits } from './table';
import { RoomTarget, type SparkRef } from './target';
import { packEnvelope } from './envelope';
import { requestsOf, type BrokerRequests } from './queries';
import { invalidQuery, readAnswer, readQuery, refusal, type Query } from './query-format';

/**
 * The rooms of one kernel (`roomsOf(kernel)`): targets to write to,
 * membership by spark or id, and membership queries that span the
 * cluster when a broker is loaded. Single node: no broker code runs.
 */
export class Rooms {
  readonly table: RoomTable;
  readonly #kernel: Kernel;
  readonly #queryTimeout: number;
  readonly #maxPendingQueries: number;
  /** Cluster-wide queries waiting for the other nodes now. */
  #pendingQueries = 0;
  #requests: { broker: Broker; requests: BrokerRequests; stop: () => void } | null = null;

  constructor(kernel: Kernel, limits: RoomLimits & { queryTimeout: number; maxPendingQueries: number }) {
    this.#kernel = kernel;
    this.table = new RoomTable(kernel, limits);
    this.#queryTimeout = limits.queryTimeout;
    this.#maxPendingQueries = limits.maxPendingQueries;
  }

  /** Cluster-wide membership queries waiting for the other nodes right now (at most `maxPendingQueries`). */
  get pendingQueries(): number {
    return this.#pendingQueries;
  }

  /** Target one room, or several at once (an array). */
  room(names: string | readonly string[]): RoomTarget {
    return new RoomTarget(this, typeof names === 'string' ? [names] : [...names]);
  }

  /** Alias of {@link room} (primus-rooms, Socket.IO). */
  in(names: string | readonly string[]): RoomTarget {
    return this.room(names);
  }

  /** Add sparks (or ids of local sparks) to rooms; throws the first refusal (ALLSPARK_ROOM_INVALID, ALLSPARK_ROOMS_LIMIT). */
  join(sparks: SparkRef | readonly SparkRef[], rooms: string | readonly string[]): this {
    for (const spark of this.#resolve(sparks)) {
      for (const room of list(rooms)) {
        const err = this.table.join(spark, room);
        if (err) throw err;
      }
    }
    return this;
  }

  /** Take sparks (or ids) out of rooms. */
  leave(sparks: SparkRef | readonly SparkRef[], rooms: string | readonly string[]): this {
    for (const spark of this.#resolve(sparks)) for (const room of list(rooms)) this.table.leave(spark, room);
    return this;
  }

  /** Every room with a member (cluster-wide with a broker), or the rooms of one local spark. */
  rooms(spark?: SparkRef): Promise<string[]> {
    if (spark !== undefined) {
      const found = typeof spark === 'string' ? this.#kernel.spark(spark) : spark;
      return Promise.resolve(found ? [...this.table.roomsOf(found)] : []);
    }
    const local = [...this.table.members.keys()];
    return this.#ask({ op: 'rooms' }, local);
  }

  /** Ids of the members of `names` (cluster-wide with a broker). */
  clients(names: readonly string[]): Promise<string[]> {
    const local = this.localMembers(names).map((spark) => spark.id);
    return this.#ask({ op: 'clients', rooms: [...names] }, local);
  }

  /** Does `room` have no member anywhere? */
  async isRoomEmpty(room: string): Promise<boolean> {
    if (this.table.members.has(room)) return false;
    return (await this.clients([room])).length === 0;
  }

  /** Local members of `names`, each once. */
  localMembers(names: readonly string[]): Spark[] {
    const out = new Set<Spark>();
    for (const name of names) for (const spark of this.table.members.get(name) ?? []) out.add(spark);
    return [...out];
  }

  /**
   * Write `data` to the members of `names` but `except`: encode once, send
   * one prepared frame to every local member (or run the outgoing hooks per
   * spark when there are some), publish the encoded frame once per room.
   */
  broadcast(names: readonly string[], except: ReadonlySet<string> | null, data: unknown): boolean {
    const kernel = this.#kernel;
    let frame: Frame | undefined;
    if (kernel.hooks.onSend !== null) {
      this.#deliver(names, except, data, false);
      if (kernel.broker === null) return true;
      const encoded = kernel.encode(data, 'room broadcast');
      if (encoded === null) return false;
      frame = encoded;
    } else {
      const encoded = kernel.encode(data, 'room broadcast');
      if (encoded === null) return false;
      if (encoded === undefined) return true;
      // Other nodes get the parser's frame, not this transformer's copy of it.
      frame = encoded;
      this.#deliver(names, except, kernel.prepareFrame(frame), true);
    }
    const broker = kernel.broker;
    if (broker === null || frame === undefined) return true;
    const payload = packEnvelope(names, except === null ? [] : [...except], frame);
    let published = true;
    for (const name of names) published = broker.publish(this.table.channel(name), payload) && published;
    return published;
  }

  /** Follow the kernel's broker (plugins changed): room subscriptions and query answers move with it. */
  useBroker(broker: Broker | null): void {
    this.table.useBroker(broker);
    if (this.#requests?.broker === broker) return;
    this.#requests?.stop();
    this.#requests = null;
    if (broker === null) return;
    const requests = requestsOf(broker, this.#malformed);
    const stop = requests.respond(this.#queryChannel(), (payload, origin) => this.#respond(payload, origin, broker.nodeId));
    this.#requests = { broker, requests, stop };
  }

  /** Stop everything that involves the broker (kernel closing). */
  close(): void {
    this.table.unsubscribeAll();
    this.#requests?.stop();
    this.#requests = null;
  }

  #deliver(names: readonly string[], except: ReadonlySet<string> | null, what: unknown, prepared: boolean): void {
    // A spark in several of the rooms gets the message once.
    const seen = names.length > 1 ? new Set<Spark>() : null;
    for (const name of names) {
      const members = this.table.members.get(name);
      if (members === undefined) continue;
      for (const spark of members) {
        if (except !== null && except.has(spark.id)) continue;
        if (seen !== null) {
          if (seen.has(spark)) continue;
          seen.add(spark);
        }
        if (prepared) spark.writePrepared(what as never);
        else spark.write(what);
      }
    }
  }

  async #ask(query: Query, local: string[]): Promise<string[]> {
    const requests = this.#requests;
    if (requests === null) return local;
    // Refused rather than answered from this node alone: a partial list that looks complete misleads
    // (Socket.IO's fetchSockets rejects too when the other servers cannot answer).
    if (this.#pendingQueries >= this.#maxPendingQueries) {
      throw new AllsparkError(
        ErrorCodes.ROOMS_QUERY_LIMIT,
        `Membership query refused: ${this.#maxPendingQueries} cluster-wide queries wait for other nodes already (maxPendingQueries)`,
      );
    }
    this.#pendingQueries++;
    let answers: string[];
    try {
      answers = await requests.requests.request(this.#queryChannel(), JSON.stringify(query), this.#queryTimeout);
    } finally {
      this.#pendingQueries--;
    }
    const all = new Set(local);
    for (const answer of answers) {
      const read = readAnswer(answer);
      if (Array.isArray(read)) for (const value of read) all.add(value);
      // A node that could not answer: the list would look complete and be partial.
      else if (read instanceof AllsparkError) throw read;
      // Garbage is left out (and logged); the others still count.
      else this.#malformed(invalidQuery(`Malformed answer to a membership query (${read}): left out`));
    }
    return [...all];
  }

  /** Another node's query, answered; a malformed one is logged and answered with the error, so its asker rejects now. */
  #respond(payload: string, origin: string, nodeId: string): string {
    const query = readQuery(payload);
    if (typeof query !== 'string') return JSON.stringify(this.#answer(query));
    const err = invalidQuery(`Malformed membership query from node ${origin}: ${query}`);
    this.#malformed(err);
    return refusal(err, nodeId);
  }

  #malformed = (err: AllsparkError): void => this.#kernel.log('error', err);

  #answer(query: Query): string[] {
    if (query.op === 'rooms') return [...this.table.members.keys()];
    return this.localMembers(query.rooms).map((spark) => spark.id);
  }

  #queryChannel(): string {
    // Not under the room prefix, so no room name can collide with it.
    return 'rooms-query:' + this.table.limits.channelPrefix;
  }

  #resolve(sparks: SparkRef | readonly SparkRef[]): Spark[] {
    const refs = Array.isArray(sparks) ? sparks : [sparks as SparkRef];
    const out: Spark[] = [];
    for (const ref of refs) {
      const spark = typeof ref === 'string' ? this.#kernel.spark(ref) : ref;
      if (spark !== undefined) out.push(spark);
    }
    return out;
  }
}

function list(rooms: string | readonly string[]): readonly string[] {
  return typeof rooms === 'string' ? [rooms] : rooms;
}
