import type { Server } from 'node:http';
import { createKernel, clientFor, type Kernel, type Client } from '../../index';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { heartbeat } from '../../plugins/heartbeat';
import { reconnect } from '../../plugins/reconnect';
import { urlOf } from './net';

/** A websockets + json kernel listening on 127.0.0.1:0, and a way to make clients for it. */
export async function startKernel(
  setup: (kernel: Kernel) => void = () => undefined,
  options: { pingInterval?: number | false; pathname?: string; maxLength?: number; port?: number; keepRequest?: boolean } = {},
): Promise<{ kernel: Kernel; server: Server; url: string; client: (opts?: Record<string, unknown>, query?: string) => Client; clients: Client[] }> {
  const kernel = createKernel({ pathname: options.pathname, maxLength: options.maxLength, keepRequest: options.keepRequest })
    .use(websockets)
    .use(jsonParserPlugin)
    .use(heartbeat, { pingInterval: options.pingInterval ?? false })
    .use(reconnect);
  setup(kernel);
  const server = await kernel.listen(options.port ?? 0);
  const url = urlOf(server);
  const Socket = clientFor(kernel);
  const clients: Client[] = [];
  return {
    kernel,
    server,
    url,
    clients,
    client(opts = {}, query = '') {
      const c = new Socket(url + query, { reconnect: { min: 50, max: 200 }, ...opts });
      clients.push(c);
      return c;
    },
  };
}

/** Destroy clients and close the kernel (and its server). */
export async function stopAll(env: { kernel: Kernel; clients: Client[] } | undefined): Promise<void> {
  if (!env) return;
  for (const c of env.clients) c.destroy();
  await env.kernel.close();
}
