import type { RedisDriver } from './driver';
import { presenceKeys, type ClusterKeys } from './keys';

/** Timing and batch limits of {@link Membership}. */
export interface MembershipOptions {
  nodeTtl: number;
  heartbeatInterval: number;
  /** Joins/leaves per script call (3 arguments each). */
  batch: number;
  /** Dead nodes reaped per heartbeat. */
  reapLimit: number;
}

/**
 * This node's entry in the cluster: a heartbeat that keeps it listed for
 * `nodeTtl` ms, the routing table rows of its sparks (joins and leaves
 * batched per tick into one script call), and the reaping of nodes whose
 * time ran out. When Redis lost what this node wrote (a restart, or
 * updates dropped while it was down) the node's rows are rebuilt from its
 * live sparks (resync), so no ghost stays and no spark is missing.
 */
export class Membership {
  readonly #driver: RedisDriver;
  readonly #keys: ClusterKeys;
  readonly #nodeId: string;
  readonly #options: MembershipOptions;
  readonly #local: () => Iterable<[string, string]>;
  readonly #onError: (err: unknown) => void;
  /** Pending joins/leaves as script arguments: op, spark id, user id. */
  #ops: string[] = [];
  #flushScheduled = false;
  #stale = true;
  /** While a resync runs, joins and leaves wait for it (they are newer than its snapshot). */
  #resyncing = false;
  #beating: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    driver: RedisDriver,
    keys: ClusterKeys,
    nodeId: string,
    options: MembershipOptions,
    local: () => Iterable<[string, string]>,
    onError: (err: unknown) => void,
  ) {
    this.#driver = driver;
    this.#keys = keys;
    this.#nodeId = nodeId;
    this.#options = options;
    this.#local = local;
    this.#onError = onError;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.beat(), this.#options.heartbeatInterval);
  }

  /** Redis came (back): whatever it holds about this node is rebuilt on the next beat. */
  reconnected(): void {
    this.#stale = true;
    void this.beat();
  }

  join(sparkId: string, user: string): void {
    this.#queue('j', sparkId, user);
  }

  leave(sparkId: string): void {
    this.#queue('l', sparkId, '');
  }

  /** One heartbeat: stay listed, rebuild if needed, reap the dead. Overlapping calls share one run. */
  beat(): Promise<void> {
    this.#beating ??= this.#beat().finally(() => (this.#beating = null));
    return this.#beating;
  }

  /** Stop beating and remove this node and its sparks from Redis now (others need not wait for the TTL). */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#ops = [];
    await this.#beating;
    if (this.#driver.state !== 'ready') return;
    await this.#run('allsparkReap', [String(this.#options.reapLimit), this.#nodeId]).catch(this.#onError);
  }

  async #beat(): Promise<void> {
    if (this.#driver.state !== 'ready') return;
    try {
      const added = await this.#run('allsparkHeartbeat', [this.#nodeId, String(this.#options.nodeTtl)]);
      if (added === 1 || this.#stale) await this.#resync();
      await this.#run('allsparkReap', [String(this.#options.reapLimit), '']);
    } catch (err) {
      this.#stale = true;
      this.#onError(err);
    }
  }

  #queue(op: string, sparkId: string, user: string): void {
    if (this.#stale) return; // the next resync writes the whole truth
    this.#ops.push(op, sparkId, user);
    if (this.#flushScheduled || this.#resyncing) return;
    this.#flushScheduled = true;
    setImmediate(this.#flush);
  }

  #flush = (): void => {
    this.#flushScheduled = false;
    const ops = this.#ops;
    this.#ops = [];
    if (ops.length === 0) return;
    if (this.#driver.state !== 'ready') {
      this.#stale = true;
      return;
    }
    const step = this.#options.batch * 3;
    for (let i = 0; i < ops.length; i += step) {
      this.#run('allsparkUpdate', [this.#nodeId, ...ops.slice(i, i + step)]).catch(this.#lost);
    }
  };

  #lost = (err: unknown): void => {
    this.#stale = true;
    this.#onError(err);
  };

  /** Write this node's live sparks to a scratch hash in chunks, then swap them in atomically. */
  async #resync(): Promise<void> {
    this.#stale = false;
    this.#ops = [];
    this.#resyncing = true;
    try {
      await this.#swapIn();
    } finally {
      this.#resyncing = false;
      if (this.#ops.length > 0) this.#flush();
    }
  }

  async #swapIn(): Promise<void> {
    const scratch = this.#keys.resyncPrefix + this.#nodeId;
    await this.#driver.command('del', [scratch]);
    let chunk: string[] = [];
    for (const [id, user] of this.#local()) {
      chunk.push(id, user);
      if (chunk.length >= this.#options.batch * 2) {
        await this.#driver.command('hset', [scratch, ...chunk]);
        chunk = [];
      }
    }
    if (chunk.length > 0) await this.#driver.command('hset', [scratch, ...chunk]);
    await this.#driver.script('allsparkResync', [...presenceKeys(this.#keys), scratch], [
      this.#keys.nodePrefix,
      this.#keys.presence,
      this.#nodeId,
    ]);
  }

  #run(script: string, args: string[]): Promise<unknown> {
    return this.#driver.script(script, presenceKeys(this.#keys), [this.#keys.nodePrefix, this.#keys.presence, ...args]);
  }
}
