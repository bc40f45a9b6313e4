import { createKernel, type Kernel, type Client, type Spark } from '../../index';
import { clientFor } from '../../core/client-config';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { heartbeat } from '../../plugins/heartbeat';
import { reconnect } from '../../plugins/reconnect';
import { continuity, continuityStoreOf, type ContinuityInfo, type ClientContinuityEvent, type Session } from '../../plugins/continuity';
import { cluster } from '../../plugins/cluster';
import type { PluginDefinition, PluginOptions } from '../../core/plugin';
import { FaultProxy } from '../helpers/proxy';
import { once, portOf, until as pollUntil } from '../helpers/net';

export type ContinuityOptions = PluginOptions<typeof continuity>;

/** A websockets + json kernel with continuity, behind a fault proxy. */
export async function continuityEnv(
  options: ContinuityOptions = {},
  kernelSetup: (k: Kernel) => void = () => undefined,
  {
    transformer = websockets,
    pingInterval = false,
    before = () => undefined,
  }: { transformer?: PluginDefinition; pingInterval?: number | false; before?: (k: Kernel) => void } = {},
) {
  const kernel = createKernel().use(transformer).use(jsonParserPlugin).use(heartbeat, { pingInterval }).use(reconnect);
  // Plugins continuity builds on (the cluster plugin for the Redis store) come before it.
  before(kernel);
  kernel.use(continuity, options);
  kernelSetup(kernel);
  const server = await kernel.listen(0);
  const proxy = new FaultProxy(portOf(server));
  await proxy.listen();
  const Socket = clientFor(kernel);
  const clients: Client[] = [];
  const events: Array<[Spark, ContinuityInfo]> = [];
  kernel.on('continuity', (spark: Spark, info: ContinuityInfo) => events.push([spark, info]));
  return {
    kernel,
    server,
    proxy,
    events,
    clients,
    client(opts: Record<string, unknown> = {}, url = proxy.url): Client {
      const c = new Socket(url, { reconnect: { min: 20, max: 100, retries: 1000 }, ...opts });
      clients.push(c);
      return c;
    },
    /**
     * A client, open, with its `continuity` events and the data it received
     * recorded from the start, and the server's session for it.
     */
    async connect(opts: Record<string, unknown> = {}, url = proxy.url) {
      const first = nextSession(kernel);
      const client = this.client(opts, url);
      const events = continuityEvents(client);
      const got: unknown[] = [];
      client.on('data', (d: unknown) => got.push(d));
      await once(client, 'open');
      return { client, events, got, session: await first };
    },
    async stop(): Promise<void> {
      for (const c of clients) c.destroy();
      await proxy.close();
      await kernel.close();
    },
  };
}

/**
 * {@link continuityEnv} on the Redis store: the cluster plugin (on `redis`,
 * keys under `prefix`) before continuity; resolves once the store has read
 * its epoch, so the first client is not sent to reconnect. Kernels with the
 * same `prefix` share their sessions (a client resumes on either).
 */
export async function redisContinuityEnv(redis: string, prefix: string, options: ContinuityOptions = {}, kernelSetup: (k: Kernel) => void = () => undefined) {
  const env = await continuityEnv(options, kernelSetup, { before: (k: Kernel) => void k.use(cluster, { redis, prefix, retryMax: 100 }) });
  await until(() => continuityStoreOf(env.kernel)!.epoch !== '', 10_000, 'the epoch');
  return env;
}

/** The server's session for the next connection. */
export function nextSession(kernel: Kernel): Promise<Session> {
  return new Promise((resolve) => kernel.once('connection', (spark: Spark) => resolve(spark.session!)));
}

/** Record a client's `continuity` events. */
export function continuityEvents(client: Client): ClientContinuityEvent[] {
  const out: ClientContinuityEvent[] = [];
  client.on('continuity', (e: ClientContinuityEvent) => out.push(e));
  return out;
}

/** Wait until `check()` is true, polling every 10 ms (a blip lasts tens of ms), or fail after `ms`. */
export function until(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  return pollUntil(check, ms, what, 10);
}
