import type { Broker, BrokerHandler, BrokerPayload } from '../../core/broker';
import { describe } from '../../core/errors';
import type { RedisDriver } from './driver';
import { isSealed, originOf, payloadOf, seal } from './envelope';

/** Why a publish was not sent: Redis down, the in-flight bound reached, or lost in flight when the connection went. */
export type DropReason = 'down' | 'bound' | 'lost';

/** Limits of what may be in flight to Redis at once; past them a publish is dropped and reported. */
export interface PublishLimits {
  maxPending: number;
  maxPendingBytes: number;
}

/**
 * The kernel's {@link Broker} on Redis pub/sub. Channel `c` is Redis
 * channel `<prefix>c`; a node subscribes to it only while it has local
 * handlers (reference-counted), so a channel's messages reach only the
 * nodes that need them. Publishes never queue offline and never exceed
 * {@link PublishLimits} in flight: a publish that cannot go is dropped and
 * reported through `onDrop`.
 */
export class RedisBroker implements Broker {
  readonly nodeId: string;
  readonly #driver: RedisDriver;
  readonly #prefix: string;
  readonly #limits: PublishLimits;
  readonly #onDrop: (reason: DropReason, channel: string) => void;
  readonly #onError: (err: Error) => void;
  readonly #handlers = new Map<string, Set<BrokerHandler>>();
  /** Sizes of in-flight publishes, oldest first (Redis answers in order): a ring, so bytes can be given back. */
  readonly #sizes: Float64Array;
  #head = 0;
  #pending = 0;
  #pendingBytes = 0;

  constructor(
    nodeId: string,
    driver: RedisDriver,
    prefix: string,
    limits: PublishLimits,
    report: { onDrop: (reason: DropReason, channel: string) => void; onError: (err: Error) => void },
  ) {
    this.nodeId = nodeId;
    this.#driver = driver;
    this.#prefix = prefix;
    this.#limits = limits;
    this.#onDrop = report.onDrop;
    this.#onError = report.onError;
    this.#sizes = new Float64Array(limits.maxPending);
  }

  /** Publishes sent and not yet answered by Redis. */
  get pending(): number {
    return this.#pending;
  }

  publish(channel: string, payload: BrokerPayload): boolean {
    return this.publishCounted(channel, payload) !== null;
  }

  /** Publish; the promise gives the number of nodes that received it. `null` when dropped (already reported). */
  publishCounted(channel: string, payload: BrokerPayload): Promise<number> | null {
    if (this.#driver.state !== 'ready') {
      this.#onDrop('down', channel);
      return null;
    }
    const message = seal(this.nodeId, payload);
    if (this.#pending >= this.#limits.maxPending || this.#pendingBytes + message.length > this.#limits.maxPendingBytes) {
      this.#onDrop('bound', channel);
      return null;
    }
    this.#sizes[(this.#head + this.#pending) % this.#sizes.length] = message.length;
    this.#pending++;
    this.#pendingBytes += message.length;
    const sent = this.#driver.publish(this.#prefix + channel, message);
    sent.then(this.#settled, this.#failed);
    return sent;
  }

  subscribe(channel: string, handler: BrokerHandler): () => void {
    let handlers = this.#handlers.get(channel);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      this.#driver.subscribe(this.#prefix + channel);
    }
    // A wrapper per subscription, so the same function may subscribe twice and each drop removes one.
    const entry: BrokerHandler = (payload, ch, origin) => handler(payload, ch, origin);
    handlers.add(entry);
    return () => {
      if (!handlers!.delete(entry) || handlers!.size > 0) return;
      this.#handlers.delete(channel);
      this.#driver.unsubscribe(this.#prefix + channel);
    };
  }

  /** Channels this node listens to, with how many local subscriptions each. */
  subscriptions(): Map<string, number> {
    return new Map([...this.#handlers].map(([channel, handlers]) => [channel, handlers.size]));
  }

  /** A message from Redis on `redisChannel`: hand it to the local handlers unless this node sent it. */
  dispatch(redisChannel: string, message: Buffer): void {
    if (!redisChannel.startsWith(this.#prefix)) return;
    const channel = redisChannel.slice(this.#prefix.length);
    const handlers = this.#handlers.get(channel);
    if (handlers === undefined || !isSealed(message)) return;
    const origin = originOf(message);
    if (origin === this.nodeId) return;
    const payload = payloadOf(message);
    for (const handler of handlers) {
      try {
        handler(payload, channel, origin);
      } catch (err) {
        this.#onError(err instanceof Error ? err : new Error(describe(err)));
      }
    }
  }

  #settled = (): void => {
    this.#pendingBytes -= this.#sizes[this.#head];
    this.#head = (this.#head + 1) % this.#sizes.length;
    this.#pending--;
  };

  /** In flight when the connection went: reported like a drop (once per outage), not logged one by one. */
  #failed = (): void => {
    this.#settled();
    this.#onDrop('lost', '');
  };
}
