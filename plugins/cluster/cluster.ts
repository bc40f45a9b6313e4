import { EventEmitter } from 'node:events';
import type { Kernel } from '../../core/kernel';
import type { Spark } from '../../core/spark';
import { AllsparkError, ErrorCodes, describe } from '../../core/errors';
import type { RedisDriver } from './driver';
import type { DropReason, RedisBroker } from './broker';
import type { ClusterKeys } from './keys';
import type { Membership } from './membership';
import type { Messaging, SendReport } from './messaging';

/** One live node in {@link ClusterView}. */
export interface NodeView {
  id: string;
  /** Sparks connected to it. */
  connections: number;
}

/** Live nodes and their connections, as Redis knows them now. */
export interface ClusterView {
  nodes: NodeView[];
  /** Sparks connected to all nodes. */
  connections: number;
}

/** A presence change: a spark joined or left (`user` when an identity is known; `first`/`last` for the user's first and last spark). */
export interface PresenceEvent {
  spark: string;
  node: string;
  user?: string;
  first?: boolean;
  last?: boolean;
}

/** What the `redis` event says: the connection state and what was done about it. */
export interface RedisEvent {
  state: 'ready' | 'down';
  /** `ready`: channels subscribed again. */
  resubscribed?: number;
  /** `ready`: publishes dropped while Redis was down. */
  dropped?: number;
  /** `down`: why. */
  error?: Error;
}

/**
 * The cluster as the application sees it (`clusterOf(kernel)`,
 * `primus.cluster`). Events:
 * - `join` / `leave` ({@link PresenceEvent}): a spark connected to / left any node;
 * - `userJoin` / `userLeave` (user id): a user's first spark joined / last spark left;
 * - `nodeUp` / `nodeDown` (node id): a node joined, or left or was reaped after its TTL;
 * - `redis` ({@link RedisEvent}): Redis went down or came back (subscriptions re-checked);
 * - `dropped` (reason, channel): a publish was not sent (first per outage; the total is in `dropped` once Redis is back).
 */
export class Cluster extends EventEmitter {
  /** This node's id. */
  readonly nodeId: string;
  /** The Redis driver, for plugins that store more on Redis (a continuity store, say). */
  readonly driver: RedisDriver;
  /** The kernel's broker on Redis. */
  readonly broker: RedisBroker;
  /** Key names, for plugins sharing this cluster's Redis. */
  readonly keys: ClusterKeys;
  /** Publishes dropped since the plugin started. */
  dropped = 0;
  readonly #kernel: Kernel;
  readonly #membership: Membership;
  readonly #messaging: Messaging;
  #droppedInOutage = 0;
  #checkedEviction = false;

  constructor(parts: { kernel: Kernel; nodeId: string; driver: RedisDriver; broker: RedisBroker; keys: ClusterKeys; membership: Membership; messaging: Messaging }) {
    super();
    this.nodeId = parts.nodeId;
    this.driver = parts.driver;
    this.broker = parts.broker;
    this.keys = parts.keys;
    this.#kernel = parts.kernel;
    this.#membership = parts.membership;
    this.#messaging = parts.messaging;
  }

  /** Is Redis reachable right now? */
  get connected(): boolean {
    return this.driver.state === 'ready';
  }

  /** Resolves once Redis is reachable and this node is listed; rejects after `timeout` ms (ALLSPARK_CLUSTER). */
  async ready(timeout = 5000): Promise<void> {
    if (!this.connected) {
      await new Promise<void>((resolve, reject) => {
        const onRedis = (event: RedisEvent): void => {
          if (event.state !== 'ready') return;
          clearTimeout(timer);
          this.removeListener('redis', onRedis);
          resolve();
        };
        const timer = setTimeout(() => {
          this.removeListener('redis', onRedis);
          reject(new AllsparkError(ErrorCodes.CLUSTER, `Redis is not reachable after ${timeout} ms`));
        }, timeout);
        this.on('redis', onRedis);
      });
    }
    await this.#membership.beat();
  }

  /** Live nodes with their connection counts, and the total. */
  async view(): Promise<ClusterView> {
    const flat = (await unavailable(this.driver.script('allsparkView', [this.keys.nodes], [this.keys.nodePrefix]))) as Array<string | number>;
    const nodes: NodeView[] = [];
    for (let i = 0; i < flat.length; i += 2) nodes.push({ id: String(flat[i]), connections: Number(flat[i + 1]) });
    return { nodes, connections: nodes.reduce((sum, n) => sum + n.connections, 0) };
  }

  /** The node a spark is connected to, or null when no live node has it. */
  async spark(id: string): Promise<string | null> {
    if (this.#kernel.connections.has(id)) return this.nodeId;
    return (await unavailable(this.driver.command('hget', [this.keys.sparks, id]))) as string | null;
  }

  /** Send to one spark on any node: `delivered`, or `unknown` when no live node has it. */
  async send(id: string, data: unknown): Promise<'delivered' | 'unknown'> {
    const report = await this.#messaging.send([id], data);
    return report.delivered.length === 1 ? 'delivered' : 'unknown';
  }

  /** Send to many sparks on any nodes: one request per node that holds some of them. */
  sendMany(ids: readonly string[], data: unknown): Promise<SendReport> {
    return this.#messaging.send(ids, data);
  }

  /** Ids of every spark connected to the cluster. */
  async sparks(): Promise<string[]> {
    return (await unavailable(this.driver.command('hkeys', [this.keys.sparks]))) as string[];
  }

  /** Ids of every user with at least one spark connected (users come from the `identify` option). */
  async users(): Promise<string[]> {
    return (await unavailable(this.driver.command('hkeys', [this.keys.users]))) as string[];
  }

  /** How many sparks a user has connected, cluster-wide. */
  async userConnections(user: string): Promise<number> {
    return Number((await unavailable(this.driver.command('hget', [this.keys.users, user]))) ?? 0);
  }

  // ---- used by the plugin ---------------------------------------------------------------

  /** @internal A publish was dropped: count it, report the first of an outage. */
  reportDrop(reason: DropReason, channel: string): void {
    this.dropped++;
    if (this.#droppedInOutage++ > 0) return;
    const why = reason === 'bound' ? 'too many publishes waiting for Redis' : 'Redis is unavailable';
    this.#kernel.log('warn', new AllsparkError(ErrorCodes.CLUSTER, `Cluster publish dropped (${why}); counting until Redis is back`));
    this.emit('dropped', reason, channel);
  }

  /** @internal Redis state changed. */
  redisState(event: RedisEvent): void {
    if (event.state === 'ready') {
      event.dropped = this.#droppedInOutage;
      this.#droppedInOutage = 0;
      this.#kernel.log('info', `cluster: Redis ready, ${event.resubscribed} channel(s) subscribed again, ${event.dropped} publish(es) dropped meanwhile`);
      this.#membership.reconnected();
      if (!this.#checkedEviction) void this.#checkEviction();
    } else {
      this.#kernel.log('warn', new AllsparkError(ErrorCodes.CLUSTER, `cluster: Redis is down (${describe(event.error)}); serving local sparks only, retrying`, { cause: event.error }));
    }
    this.emit('redis', event);
  }

  /** @internal Presence changes published by the scripts (a JSON array). */
  presence(json: string): void {
    let events: Array<PresenceEvent & { t: string }>;
    try {
      events = JSON.parse(json);
    } catch {
      return;
    }
    for (const { t, ...event } of events) {
      if (t === 'nodeUp' || t === 'nodeDown') this.emit(t, event.node);
      else if (t === 'join' || t === 'leave') this.#emitPresence(t, event);
    }
  }

  /** Warn once if Redis may evict keys: an evicted routing row or node entry breaks the cluster silently. */
  async #checkEviction(): Promise<void> {
    this.#checkedEviction = true;
    try {
      const [, policy] = (await this.driver.command('config', ['get', 'maxmemory-policy'])) as [string, string];
      if (policy.startsWith('allkeys')) {
        this.#kernel.log('warn', new AllsparkError(ErrorCodes.CLUSTER, `cluster: Redis may evict keys (maxmemory-policy ${policy}); use noeviction or a volatile-* policy`));
      }
    } catch {
      // CONFIG is often disabled on managed Redis: nothing to check then.
    }
  }

  #emitPresence(type: 'join' | 'leave', event: PresenceEvent): void {
    this.emit(type, event);
    if (type === 'join' && event.first) this.emit('userJoin', event.user);
    if (type === 'leave' && event.last) this.emit('userLeave', event.user);
  }
}

/** The user id of a spark, as the default `identify`: `request.user` (a string, or an object's `id`) set by an authorizer. */
export function requestUser(spark: Spark): string | undefined {
  const user = (spark.request as { user?: unknown } | undefined)?.user;
  if (typeof user === 'string' || typeof user === 'number') return String(user);
  const id = (user as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** A Redis call that fails because Redis is unreachable rejects with ALLSPARK_CLUSTER. */
export async function unavailable<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw err instanceof AllsparkError ? err : new AllsparkError(ErrorCodes.CLUSTER, `Redis: ${describe(err)}`, { cause: err });
  }
}
