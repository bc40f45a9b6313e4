import { z } from 'zod/v3';
import type { ServerResponse } from 'node:http';
import { definePlugin } from '../../core/plugin';
import type { Kernel } from '../../core/kernel';
import { routeUnder, type KernelRequest } from '../../core/http';
import { addLayer } from '../middleware';
import { HEARTBEAT, type HeartbeatSettings } from '../heartbeat';
import { VERSION } from '../../core/version';

export const specOptions = z
  .object({
    /** Version reported to clients. Default: the allspark package version. */
    version: z.string().optional(),
  })
  .strict();

/** What a server says about itself at `<pathname>/spec` (spec §2.5). */
export interface ServerSpec {
  pingInterval: number | false;
  pathname: string;
  version: string;
  parser: string;
  transformer: string;
}

/** The body of `GET <pathname>/spec`, key order as Primus 8 (spec §2.5). */
export function specOf(kernel: Kernel, version: string): ServerSpec {
  const pingInterval = kernel.registry.lookup<HeartbeatSettings>(HEARTBEAT)?.pingInterval ?? false;
  return {
    pingInterval,
    pathname: kernel.options.pathname,
    version,
    parser: kernel.parser?.name ?? 'custom',
    transformer: kernel.transformer?.name ?? 'custom',
  };
}

/** Serves `<pathname>/spec`: how clients (ours and Primus's) discover the server's settings. */
export const spec = definePlugin({
  name: 'spec',
  dependencies: ['middleware'],
  options: specOptions,
  server(ctx, options) {
    const version = options.version ?? VERSION;
    const route = routeUnder(ctx.options.pathname, 'spec');
    const specRoute = (req: KernelRequest, res: ServerResponse): boolean => {
      if (req.pathnameOnly !== route) return false;
      const body = JSON.stringify(specOf(ctx.kernel, version));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    };
    addLayer(ctx, 'spec', Object.assign(specRoute, { upgrade: false, plainRequest: true }));
  },
});
