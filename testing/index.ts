/**
 * `allspark/testing`: real servers and real clients for plugin tests, in a
 * few lines. A kernel on 127.0.0.1 (a free port) with the plugins under
 * test, our Node client (and, when the `primus` package is installed, the
 * real Primus 8 client), waits with timeouts, and one `close()` that leaves
 * no open handles.
 *
 * ```ts
 * const t = await startTestKernel({ use: (k) => k.use(rateLimit, { max: 3 }) });
 * const spark = t.nextConnection();
 * const client = t.client();
 * await nextEvent(client, 'open');
 * await t.close();
 * ```
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKernel, type Kernel } from '../core/kernel';
import type { PluginDefinition } from '../core/plugin';
import type { Spark } from '../core/spark';
import type { Client } from '../core/client/client';
import type { ClientOptions } from '../core/client/types';
import { clientFor } from '../core/client-config';
import { websockets } from '../transformers/websockets';
import { jsonParserPlugin } from '../plugins/json-parser';
import { heartbeat } from '../plugins/heartbeat';
import { reconnect } from '../plugins/reconnect';
import { primusClientFor, type PrimusClient } from './primus-client';
import { nextEvent } from './events';

export { nextEvent, nextMessage, collectEvents } from './events';
export type { PrimusClient } from './primus-client';

/** Options of {@link startTestKernel}. */
export interface TestKernelOptions {
  /** Add the plugins under test (typed options): `(kernel) => kernel.use(myPlugin, { … })`. */
  use?: (kernel: Kernel) => unknown;
  /** Plugins to add without options, after the defaults and before `use`. */
  plugins?: PluginDefinition[];
  /** Kernel options (`pathname`, `maxLength`, …). */
  kernel?: Parameters<typeof createKernel>[0];
  /**
   * The transformer and parser plugins. Default websockets + JSON. Pass
   * `false` to add none (then `use` adds them).
   */
  transport?: false | { transformer: PluginDefinition; parser: PluginDefinition };
  /** Heartbeat interval in ms, or false (the default) for no pings during tests. */
  pingInterval?: number | false;
  /** Add the reconnect plugin (default true); clients made here retry after 50–200 ms. */
  reconnect?: boolean;
  /** Port on 127.0.0.1. Default 0, a free one; a fixed port is for restart tests. */
  port?: number;
}

/** A running test kernel, its clients and one way to stop everything. */
export interface TestKernel {
  readonly kernel: Kernel;
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** A new client of ours, connecting now (options as `new Socket(url, options)`). Closed by `close()`. */
  client(options?: ClientOptions, query?: string): Client;
  /**
   * A real Primus 8 client for this kernel's transformer, parser and
   * pathname; needs the `primus` package (`npm install -D primus`).
   * Closed by `close()`.
   */
  primusClient(options?: Record<string, unknown>): PrimusClient;
  /** The next spark that connects (rejects after `timeout` ms, default 5000). */
  nextConnection(timeout?: number): Promise<Spark>;
  /** Destroy every client made here, close the kernel and its server. */
  close(): Promise<void>;
}

/**
 * Start a kernel on 127.0.0.1 at a free port: websockets + JSON (unless
 * `transport` says otherwise), heartbeat off, reconnect on, then the
 * plugins under test.
 */
export async function startTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const kernel = createKernel(options.kernel);
  if (options.transport !== false) {
    kernel.use(options.transport?.transformer ?? websockets).use(options.transport?.parser ?? jsonParserPlugin);
  }
  kernel.use(heartbeat, { pingInterval: options.pingInterval ?? false });
  if (options.reconnect !== false) kernel.use(reconnect);
  for (const plugin of options.plugins ?? []) kernel.use(plugin);
  options.use?.(kernel);
  const server = await kernel.listen(options.port ?? 0, '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const ours: Client[] = [];
  const theirs: PrimusClient[] = [];
  let Socket: ReturnType<typeof clientFor> | undefined;
  return {
    kernel,
    server,
    port,
    url,
    client(clientOptions = {}, query = '') {
      // Built on first use, after every plugin is in: the client gets each one's client half.
      Socket ??= clientFor(kernel);
      const client = new Socket(url + query, { reconnect: { min: 50, max: 200 }, ...clientOptions });
      ours.push(client);
      return client;
    },
    primusClient(clientOptions = {}) {
      const client = primusClientFor(kernel, url, clientOptions);
      theirs.push(client);
      return client;
    },
    nextConnection(timeout = 5000) {
      return nextEvent(kernel, 'connection', timeout).then(([spark]) => spark);
    },
    async close() {
      for (const client of ours.splice(0)) client.destroy();
      for (const client of theirs.splice(0)) client.end();
      await kernel.close();
    },
  };
}
