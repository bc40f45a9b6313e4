/**
 * One cluster node in its own process, driven by the test over IPC
 * (bundled by `test/helpers/cluster.ts`). argv: redis URL, node id, JSON
 * options for the cluster plugin. Presence users come from `?user=`, set
 * on the request by an authorizer.
 */
import type { IncomingMessage } from 'node:http';
import { createKernel, type Kernel } from '../../core/kernel';
import { websockets } from '../../transformers/websockets';
import { engineio } from '../../transformers/engine.io';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { heartbeat } from '../../plugins/heartbeat';
import { middleware } from '../../plugins/middleware';
import { authorization } from '../../plugins/authorization';
import { cluster, clusterOf, type Cluster } from '../../plugins/cluster';

const [redis, nodeId, json] = process.argv.slice(2);
const send = (message: unknown): void => void process.send!(message);

/** Errors and other values as something IPC can carry. */
function plain(value: unknown): unknown {
  if (value instanceof Error) return { message: value.message, code: (value as { code?: string }).code };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v instanceof Error ? plain(v) : v]));
  }
  return value;
}

// The "ioredis is not installed" test: make its resolution fail as it would without the package.
if (process.env.ALLSPARK_TEST_HIDE_IOREDIS === '1') hideIoredis();

function hideIoredis(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('node:module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request === 'ioredis') throw Object.assign(new Error("Cannot find module 'ioredis'"), { code: 'MODULE_NOT_FOUND' });
    return resolve.call(this, request, ...rest);
  };
}

function build(): Kernel | null {
  try {
    return createKernel()
      // engine.io for the polling-through-nginx test; websockets otherwise.
      .use(process.env.ALLSPARK_TEST_TRANSFORMER === 'engine.io' ? engineio : websockets)
      .use(jsonParserPlugin)
      .use(heartbeat, { pingInterval: false })
      .use(middleware)
      .use(authorization, {
        authorize(req: IncomingMessage & { user?: string }, done) {
          const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user');
          if (user) req.user = user;
          done();
        },
      })
      .use(cluster, { redis, nodeId, ...JSON.parse(json || '{}') });
  } catch (err) {
    // Report, then exit once the message is out.
    process.send!({ type: 'fatal', error: plain(err) }, () => process.exit(3));
    return null;
  }
}

function serve(kernel: Kernel, service: Cluster): void {
  for (const event of ['join', 'leave', 'userJoin', 'userLeave', 'nodeUp', 'nodeDown', 'redis', 'dropped']) {
    service.on(event, (payload: unknown) => send({ type: 'event', name: event, payload: plain(payload) }));
  }
  kernel.on('log', (level: string, ...args: unknown[]) => send({ type: 'log', level, args: args.map(plain) }));
  kernel.on('connection', (spark) => spark.on('data', (data: unknown) => send({ type: 'data', spark: spark.id, data })));

  const unsubscribers = new Map<string, Array<() => void>>();
  const commands: Record<string, (...args: any[]) => unknown> = {
    ready: (timeout?: number) => service.ready(timeout),
    broadcast: (data: unknown) => kernel.write(data),
    /** `count` broadcasts in one tick (bounded-publish tests). */
    broadcastMany: (count: number, data: unknown) => {
      let sent = 0;
      for (let i = 0; i < count; i++) if (kernel.write(data)) sent++;
      return sent;
    },
    send: (id: string, data: unknown) => service.send(id, data),
    sendMany: (ids: string[], data: unknown) => service.sendMany(ids, data),
    view: () => service.view(),
    spark: (id: string) => service.spark(id),
    sparks: () => service.sparks(),
    users: () => service.users(),
    local: () => [...kernel.connections.keys()],
    dropped: () => service.dropped,
    pending: () => service.broker.pending,
    connected: () => service.connected,
    subscribe: (channel: string) => {
      const drop = kernel.broker!.subscribe(channel, (payload, ch, origin) => send({ type: 'channel', channel: ch, payload, origin }));
      unsubscribers.set(channel, [...(unsubscribers.get(channel) ?? []), drop]);
      return [...service.driver.channels];
    },
    unsubscribe: (channel: string) => {
      unsubscribers.get(channel)?.pop()?.();
      return [...service.driver.channels];
    },
    publish: (channel: string, payload: string) => kernel.broker!.publish(channel, payload),
    close: () => kernel.close(),
  };

  process.on('message', async (message: { id: number; cmd: string; args: unknown[] }) => {
    try {
      const result = await commands[message.cmd](...message.args);
      send({ type: 'reply', id: message.id, result: result ?? null });
    } catch (err) {
      send({ type: 'reply', id: message.id, error: plain(err) });
    }
  });

  void kernel.listen(0).then((server) => send({ type: 'listening', port: (server.address() as { port: number }).port, nodeId: service.nodeId }));
}

const kernel = build();
if (kernel !== null) serve(kernel, clusterOf(kernel)!);
