import type { Server } from 'node:http';
import type { Kernel, Client } from '../../index';
import { startTestKernel } from '../../testing';

/**
 * A websockets + json kernel listening on 127.0.0.1:0, and a way to make
 * clients for it: `allspark/testing`'s `startTestKernel`, in the shape
 * these tests grew up with (`clients` may be extended with anything
 * destroyable that `stopAll` should close).
 */
export async function startKernel(
  setup: (kernel: Kernel) => void = () => undefined,
  options: { pingInterval?: number | false; pathname?: string; maxLength?: number; port?: number; keepRequest?: boolean } = {},
): Promise<{ kernel: Kernel; server: Server; url: string; client: (opts?: Record<string, unknown>, query?: string) => Client; clients: Array<{ destroy(): unknown }> }> {
  const { pingInterval, port, ...kernelOptions } = options;
  const t = await startTestKernel({ kernel: kernelOptions, pingInterval, port, use: setup });
  const clients: Array<{ destroy(): unknown }> = [];
  return {
    kernel: t.kernel,
    server: t.server,
    url: t.url,
    clients,
    client(opts = {}, query = '') {
      const c = t.client(opts, query);
      clients.push(c);
      return c;
    },
  };
}

/** Destroy clients and close the kernel (and its server). */
export async function stopAll(env: { kernel: Kernel; clients: Array<{ destroy(): unknown }> } | undefined): Promise<void> {
  if (!env) return;
  for (const c of env.clients) c.destroy();
  await env.kernel.close();
}
