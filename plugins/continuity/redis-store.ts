import type { Frame } from '../../core/types';
import type { Broker, BrokerPayload } from '../../core/broker';
import { defineScripts, type RedisDriver } from '../cluster/driver';
import { randomToken, type GapReason, type ResumeRequest } from './protocol';
import { MemoryStream } from './stream';
import { MEMORY_DEFAULTS, type MemoryStoreLimits } from './memory-store';
import type { Claim, ContinuityStore } from './store';
import { RedisSession, encodeIdentity } from './redis-session';
import { CONTINUITY_SCRIPTS, continuityKeys, type ContinuityKeys } from './redis-scripts';
import { WriteBehind, type WriteLimits } from './redis-writer';
import { AHEAD, decodeEntries, replayStart, type RawEntry } from './redis-replay';
import { SessionTable } from './session-table';
import { RedisInstance } from './redis-instance';

/** Settings of the Redis store; every one has a default (see docs/continuity.md). */
export interface RedisStoreOptions extends MemoryStoreLimits, WriteLimits {
  /** Prefix of the store's keys (the cluster's prefix). */
  prefix: string;
  /** ms a connecting client waits for Redis before it is sent to reconnect. */
  claimTimeout: number;
}

/**
 * Broker channel on which a node that took a session over names it and the
 * lease it took it from (`<id> <lease>`), so the node that held it lets go
 * of its copy at once (its `close`: requests waiting on it reject now, not
 * at the end of the window).
 */
export const MOVED_CHANNEL = 'continuity:moved';

/** ms a node keeps its copy of an away session after the session's keys in Redis expired. */
const LOCAL_MARGIN = 1000;

export const REDIS_DEFAULTS: Omit<RedisStoreOptions, 'prefix'> = {
  ...MEMORY_DEFAULTS,
  claimTimeout: 5000,
  maxPendingWrites: 100_000,
  maxPendingBytes: 64 << 20,
};

/** What goes wrong, for the log: the plugin turns it into `ALLSPARK_CONTINUITY` warnings. */
export type RedisStoreTrouble = (message: string, cause?: unknown) => void;

/**
 * Sessions on Redis Streams: a client resumes on any node sharing the
 * Redis, after the death of its node or a restart of every node. One
 * stream and one hash per session (see redis-scripts.ts). The node a
 * client is connected to owns its session (a lease in Redis, taken by the
 * claim): it numbers messages itself, so `append` stays synchronous, and
 * writes behind ({@link WriteBehind}). A claim reads Redis, never this
 * node's copy, so it sees what another node wrote.
 */
export class RedisStore implements ContinuityStore {
  readonly options: RedisStoreOptions;
  readonly keys: ContinuityKeys;
  readonly writer: WriteBehind;
  readonly #driver: RedisDriver;
  /** This node's copies of sessions (see {@link SessionTable}). */
  readonly #local: SessionTable<RedisSession>;
  readonly #report: RedisStoreTrouble;
  readonly #redis: RedisInstance;
  /** Refreshes the expiry of connected sessions' keys. */
  readonly #refresh: ReturnType<typeof setInterval>;
  /** Where takeovers are announced to the other nodes (none: a node learns when its next write is refused). */
  readonly #broker: Broker | undefined;
  readonly #unsubscribe: () => void;

  constructor(driver: RedisDriver, options: Partial<RedisStoreOptions> & { prefix: string }, report: RedisStoreTrouble = () => undefined, broker?: Broker) {
    this.options = { ...REDIS_DEFAULTS, ...options };
    this.keys = continuityKeys(this.options.prefix);
    this.#driver = driver;
    this.#report = report;
    defineScripts(driver, CONTINUITY_SCRIPTS);
    this.#redis = new RedisInstance(driver, this.keys.epoch, 'allsparkContinuityEpoch');
    this.writer = new WriteBehind(driver, this.keys, this.options, (s) => this.#refused(s), (what, count, err) => this.#trouble(what, count, err), () => this.#redis.runId);
    // A copy outlives the session's keys in Redis a little: a client back just in time resumes on the same Session object.
    this.#local = new SessionTable({ ...this.options, window: this.options.window + LOCAL_MARGIN });
    driver.on('ready', this.#onReady);
    driver.on('down', this.#onDown);
    if (driver.state === 'ready') void this.#redis.load().catch(() => undefined);
    this.#refresh = setInterval(() => this.#local.forAttached((s) => this.#touch(s)), this.#refreshEvery);
    this.#refresh.unref();
    this.#broker = broker;
    this.#unsubscribe = broker?.subscribe(MOVED_CHANNEL, this.#onMoved) ?? (() => undefined);
  }

  /** The store's epoch as last read from Redis (`''` before the first read). */
  get epoch(): string {
    return this.#redis.epoch;
  }

  /** Sessions this node holds a copy of. */
  get size(): number {
    return this.#local.size;
  }

  async claim(request: ResumeRequest | undefined, identity: string | undefined, now: number): Promise<Claim> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.options.claimTimeout} ms`)), this.options.claimTimeout);
    });
    const work = this.#claim(request, identity, now);
    try {
      return await Promise.race([work, late]);
    } catch (err) {
      // Too late for this connection: a session the claim still finds waits for the window like any away one.
      work.then((c) => 'session' in c && c.session.spark === null && this.detach(c.session as RedisSession, Date.now()), () => undefined);
      this.#report('Continuity could not reach Redis to resume a session: the client is sent to reconnect', err);
      return { outcome: 'retry', reason: 'unavailable' };
    } finally {
      clearTimeout(timer);
    }
  }

  append(session: RedisSession, frame: Frame, now: number): void {
    if (session.closed) return;
    this.#local.bytes += session.stream.append(frame, now);
    session.pending.push(session.stream.top, typeof frame === 'string' ? 's' : 'b', frame, now);
    this.writer.mark(session);
    if (this.#local.bytes > this.options.maxTotalBytes) this.#local.shed(session);
  }

  /** The client message `session.processed` was handed to the application: Redis must know, for another node's dedup. */
  received(session: RedisSession): void {
    this.writer.mark(session);
  }

  acknowledge(session: RedisSession, offset: number): void {
    if (session.previous !== null) session.clearPrevious = true;
    session.previous = null;
    this.#local.bytes -= session.stream.trimBefore(offset);
    this.writer.mark(session);
  }

  detach(session: RedisSession, now: number): void {
    if (session.closed) return;
    this.#local.away(session);
    // The window runs from now: the application writing to the session meanwhile does not extend it.
    session.expireAt = now + this.options.window;
    this.writer.mark(session);
  }

  attach(session: RedisSession): void {
    this.#local.back(session);
    session.expireAt = 0;
    session.ttl = this.#attachedTtl;
  }

  forget(session: RedisSession): void {
    if (session.closed) return;
    session.drop = true;
    this.writer.mark(session);
    this.#local.remove(session);
  }

  /** Write what is pending (for up to a second), then let go of every local copy; sessions stay in Redis for other nodes. */
  async close(): Promise<void> {
    clearInterval(this.#refresh);
    this.#unsubscribe();
    this.#driver.off('ready', this.#onReady);
    this.#driver.off('down', this.#onDown);
    await this.writer.settle(1000);
    this.writer.close();
    this.#local.clear();
  }

  /** ms between refreshes of connected sessions' expiry. */
  get #refreshEvery(): number {
    return Math.max(1000, Math.floor(this.options.window / 4));
  }

  /** Keys of a connected session outlive a refresh period: its node may die just before one. */
  get #attachedTtl(): number {
    return this.options.window + 2 * this.#refreshEvery;
  }

  async #claim(request: ResumeRequest | undefined, identity: string | undefined, now: number): Promise<Claim> {
    // Writes queued before this connect (a microtask) go to Redis first: the claim reads them.
    await null;
    // Starting up: wait for the first connection (bounded by claimTimeout); down: fail now, the client retries.
    if (this.#driver.state === 'connecting') await this.#redis.connected();
    if (this.#driver.state !== 'ready') throw new Error(`Redis is ${this.#driver.state}`);
    if (this.#redis.epoch === '' || this.#redis.runId === '') await this.#redis.load();
    if (request === undefined) return this.#create(randomToken(), identity, null, 'invalid');
    const token = randomToken();
    const lease = randomToken();
    const reply = (await this.#driver.script(
      'allsparkContinuityClaim',
      [this.keys.hash(request.session), this.keys.stream(request.session)],
      [encodeIdentity(identity), request.token, token, request.offset, lease, this.#attachedTtl, this.options.maxMessages + 2],
      { buffers: true },
    )) as [Buffer, Buffer?, Buffer?, Buffer?, RawEntry[]?, Buffer?, Buffer?];
    const status = reply[0].toString();
    if (status === 'missing') {
      // Nothing read yet and never confirmed: the client's first connect (or a retry of it).
      if (request.epoch === '') return this.#create(request.session, identity, request.token);
      // Gone from Redis (expired, or Redis lost it): a copy still held here is over now, not at its own expiry.
      const stale = this.#local.get(request.session);
      if (stale !== undefined && stale.spark === null) this.#local.remove(stale);
      const epoch = await this.#redis.load();
      return this.#create(randomToken(), identity, null, request.epoch !== epoch ? 'epoch' : 'expired');
    }
    if (status !== 'ok') return this.#create(randomToken(), identity, null, status as GapReason);
    const epoch = reply[1]!.toString();
    const read = decodeEntries(reply[4]!);
    const top = Number(reply[3]!.toString());
    const local = this.#local.get(request.session);
    // This node owned the session until this claim: its copy has everything, written to Redis or not yet
    // (the application may have written to it while the claim was on its way).
    const previousLease = reply[6]!.toString();
    const owned = local !== undefined && local.lease !== '' && previousLease === local.lease;
    if (!owned && previousLease !== '') this.#broker?.publish(MOVED_CHANNEL, `${request.session} ${previousLease}`);
    const session = local ?? this.#local.add(new RedisSession(request.session, identity, token, request.token, new MemoryStream(request.session, epoch, this.options), this));
    // Connected here from now on (a write before `attach` must not set a shorter expiry, let alone none).
    session.ttl = this.#attachedTtl;
    session.expireAt = 0;
    session.token = token;
    session.previous = request.token;
    session.lease = lease;
    const processed = Math.max(Number(reply[2]!.toString()), 0);
    session.writtenProcessed = processed;
    session.processed = owned ? Math.max(session.processed, processed) : processed;
    // A client that never got a hello has read nothing: any epoch is its epoch.
    const position = request.epoch === '' ? { epoch, offset: 0, hash: '' } : request;
    if (owned) {
      const replay = session.stream.since(position, now);
      if (typeof replay === 'string') return { outcome: 'gap', session, reason: replay, offset: session.stream.top };
      return { outcome: 'resumed', session, replay, offset: position.offset };
    }
    // Redis never restarted since the last write to this session: it lost nothing, so a client
    // ahead of it got messages its dead node wrote just before Redis read them.
    const unbroken = this.#redis.runId !== '' && reply[5]!.toString() === this.#redis.runId;
    const start = replayStart(read, position, epoch, top, now, this.options.maxAge, unbroken);
    if (start === AHEAD) {
      this.#local.bytes -= session.stream.reset(position.offset);
      session.writtenMinid = position.offset - 1;
      // Redis keeps the hash of the client's own entry in its place, for the next check.
      session.pending.push(position.offset, 'h', position.hash, now);
      this.writer.mark(session);
      return { outcome: 'resumed', session, replay: [], offset: position.offset };
    }
    if (typeof start === 'string') {
      this.#local.bytes -= session.stream.reset(top);
      session.writtenMinid = top;
      return { outcome: 'gap', session, reason: start, offset: top };
    }
    // This node's copy: the client's own entry (for later checks) and what it missed.
    this.#local.bytes -= session.stream.reset(position.offset === 0 ? 0 : position.offset - 1);
    for (let i = 0; i < read.frames.length; i++) this.#local.bytes += session.stream.append(read.frames[i], read.times[i]);
    session.writtenMinid = Math.max(position.offset - 1, 0);
    return { outcome: 'resumed', session, replay: read.frames.slice(start), offset: position.offset };
  }

  /** A new session, written to Redis before the client hears of it. */
  async #create(id: string, identity: string | undefined, previous: string | null, reason?: GapReason): Promise<Claim> {
    if (!this.#local.room()) return { outcome: 'refused', reason: 'capacity' };
    const session = new RedisSession(id, identity, randomToken(), previous, new MemoryStream(id, this.#redis.epoch, this.options), this);
    session.lease = randomToken();
    session.ttl = this.#attachedTtl;
    const created = await this.#driver.script(
      'allsparkContinuityCreate',
      [this.keys.hash(id), this.keys.stream(id)],
      [encodeIdentity(identity), session.token, previous ?? '', this.#redis.epoch, session.lease, session.ttl, this.#redis.runId],
    );
    // Taken meanwhile (two first connects with one id): start afresh under a new id.
    if (created !== 1) return this.#create(randomToken(), identity, null, reason ?? 'token');
    const old = this.#local.get(id);
    if (old !== undefined) this.#local.remove(old);
    this.#local.add(session);
    if (reason === undefined) return { outcome: 'new', session, replay: [], offset: 0 };
    return { outcome: 'lost', session, reason, offset: 0 };
  }

  /** Redis refused a write: another node owns the session now, or Redis lost it. The client, if here, must reconnect to learn which. */
  #refused(session: RedisSession): void {
    const spark = session.spark;
    this.#local.remove(session);
    if (spark !== null) spark.end(undefined, { reconnect: true });
  }

  /** Another node took over a session (see {@link MOVED_CHANNEL}): the copy that held it under that lease goes, as when Redis refuses its write. */
  #onMoved = (payload: BrokerPayload): void => {
    const [id, lease] = (typeof payload === 'string' ? payload : Buffer.from(payload).toString()).split(' ');
    const session = lease === undefined ? undefined : this.#local.get(id);
    if (session !== undefined && session.lease === lease) this.#refused(session);
  };

  #touch(session: RedisSession): void {
    session.ttl = this.#attachedTtl;
    this.writer.mark(session);
  }

  #trouble(what: 'dropped' | 'failed', count: number, err?: Error): void {
    if (what === 'dropped') this.#report(`Continuity dropped ${count} writes to Redis (maxPendingWrites/maxPendingBytes reached while Redis was unreachable): resumes of the sessions concerned will report a gap`);
    else if (!this.#redis.down) this.#report(`Continuity could not write ${count} messages to Redis; they wait for it (bounded)`, err);
  }

  #onDown = (): void => this.#redis.lost();

  #onReady = (): void => {
    // Redis may have restarted empty: read the epoch again, send what waited, and check every session we hold.
    // What waited goes first, before anything newer, so offsets reach Redis in order.
    this.writer.resume();
    this.#redis.reconnected().then(
      () => this.#local.forAll((s) => this.writer.mark(s)),
      (err: unknown) => this.#report('Continuity could not read its epoch from Redis', err),
    );
  };
}
