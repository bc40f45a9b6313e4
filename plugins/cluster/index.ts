import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import { fn } from '../../core/options';
import { randomId } from '../../core/id';
import { Slots } from '../../core/slots';
import { AllsparkError, ErrorCodes, describe } from '../../core/errors';
import type { Kernel } from '../../core/kernel';
import type { Spark } from '../../core/spark';
import type { ServerContext } from '../../core/context';
import { ioredisDriver, type RedisLike } from './ioredis';
import { RedisBroker, type DropReason } from './broker';
import { clusterKeys } from './keys';
import { Membership } from './membership';
import { Messaging } from './messaging';
import { SCRIPTS } from './scripts';
import { defineScripts } from './driver';
import { Cluster, requestUser } from './cluster';

export { Cluster, requestUser, type ClusterView, type NodeView, type PresenceEvent, type RedisEvent } from './cluster';
export type { RedisDriver, DriverEvents, DriverState } from './driver';
export type { SendReport } from './messaging';
export { ioredisDriver, type RedisLike, type RedisTarget } from './ioredis';

/** Registry token of the {@link Cluster} service. */
export const CLUSTER = Symbol('cluster');

const positive = z.number().int().positive();

export const clusterOptions = z
  .object({
    /** `redis://host:port/db` (or `rediss://`, or a unix socket path), or an ioredis client whose settings are copied. */
    redis: z.union([z.string().min(1), z.custom<RedisLike>((v) => typeof (v as RedisLike | null)?.duplicate === 'function', 'an ioredis client')]),
    /** Prefix of every key and channel (the hash tag of the keys). Default `allspark`. */
    prefix: z.string().min(1).regex(/^[^{}\s]+$/, 'no braces or spaces').default('allspark'),
    /** This node's id. Default: random. */
    nodeId: z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII').optional(),
    /** ms a node stays listed without a heartbeat; a killed node vanishes after at most this plus one heartbeat. Default 5000. */
    nodeTtl: positive.default(5000),
    /** ms between heartbeats (and reaps of dead nodes). Default 1000. */
    heartbeatInterval: positive.default(1000),
    /** Publishes in flight to Redis at most; past it a publish is dropped and reported. Default 10000. */
    maxPendingPublishes: positive.default(10_000),
    /** Bytes of publishes in flight at most. Default 16 MiB. */
    maxPendingBytes: positive.default(16 * 1024 * 1024),
    /** Cross-node sends waiting for an answer at most. Default 10000. */
    maxPendingSends: positive.default(10_000),
    /** ms a cross-node send waits for the node's answer. Default 5000. */
    sendTimeout: positive.default(5000),
    /** Largest ms between reconnect attempts to Redis. Default 2000. */
    retryMax: positive.default(2000),
    /** ms to wait for a TCP connection to Redis. Default 5000. */
    connectTimeout: positive.default(5000),
    /** The user id of a spark for presence. Default: `spark.request.user` (a string or `.id`), as an authorizer sets it. */
    identify: fn<(spark: Spark) => string | undefined>().default(() => requestUser),
  })
  .strict()
  .refine((o) => o.heartbeatInterval < o.nodeTtl, { message: 'heartbeatInterval must be shorter than nodeTtl', path: ['heartbeatInterval'] });

/** The cluster service of a kernel that uses the cluster plugin, or undefined. */
export function clusterOf(kernel: Kernel): Cluster | undefined {
  return kernel.registry.lookup<Cluster>(CLUSTER);
}

/**
 * Scale-out on Redis: provides the kernel's broker (so `kernel.write`
 * reaches every node), a routing table and presence for every spark,
 * node liveness with short TTLs, and send-to-spark across nodes. Without
 * Redis the node keeps serving its own sparks and reports what it drops
 * (see docs/scale-out.md).
 */
export const cluster = definePlugin({
  name: 'cluster',
  options: clusterOptions,
  server(ctx, options) {
    const kernel = ctx.kernel;
    const nodeId = options.nodeId ?? randomId();
    const keys = clusterKeys(options.prefix);
    const driver = ioredisDriver(options.redis, options);
    defineScripts(driver, SCRIPTS);
    const report = { onDrop: (reason: DropReason, channel: string) => service.reportDrop(reason, channel), onError: (err: Error) => ctx.log('error', err) };
    const broker = new RedisBroker(nodeId, driver, keys.channelPrefix, { maxPending: options.maxPendingPublishes, maxPendingBytes: options.maxPendingBytes }, report);
    const users = new Map<string, string>();
    const identity = guardedIdentify(ctx, options.identify);
    const membership = new Membership(
      driver,
      keys,
      nodeId,
      { nodeTtl: options.nodeTtl, heartbeatInterval: options.heartbeatInterval, batch: 1000, reapLimit: 10 },
      () => users,
      (err) => ctx.log('warn', err),
    );
    const messaging = new Messaging(kernel, broker, driver, keys.sparks, { timeout: options.sendTimeout, maxPending: options.maxPendingSends });
    const service = new Cluster({ kernel, nodeId, driver, broker, keys, membership, messaging });

    driver.subscribe(keys.presence);
    driver.on('message', (channel, message) => {
      if (channel === keys.presence) service.presence(message.toString());
      else broker.dispatch(channel, message);
    });
    driver.on('ready', ({ resubscribed }) => service.redisState({ state: 'ready', resubscribed }));
    driver.on('down', (error) => service.redisState({ state: 'down', error }));

    try {
      ctx.provide(CLUSTER, service);
      ctx.provide(Slots.broker, broker);
    } catch (err) {
      void driver.close(); // another broker is in place: do not leave the connections open
      throw err;
    }
    ctx.hook('onConnection', (spark) => {
      const user = identity(spark);
      users.set(spark.id, user);
      membership.join(spark.id, user);
    });
    ctx.hook('onDisconnection', (spark) => {
      if (users.delete(spark.id)) membership.leave(spark.id);
    });
    membership.start();
    return async () => {
      messaging.close();
      await membership.stop();
      await driver.close();
    };
  },
});

/** `identify`, but a throw costs the spark its user in presence (logged), never its connection. */
function guardedIdentify(ctx: ServerContext, identify: (spark: Spark) => string | undefined): (spark: Spark) => string {
  return (spark) => {
    try {
      return identify(spark) ?? '';
    } catch (err) {
      ctx.log('error', new AllsparkError(ErrorCodes.CLUSTER, `cluster: identify() threw for spark ${spark.id}: ${describe(err)}`, { cause: err }));
      return '';
    }
  };
}
