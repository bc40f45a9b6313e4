import { z } from 'zod/v3';
import type { ServerResponse } from 'node:http';
import { definePlugin } from '../../core/plugin';
import { addLayer } from '../middleware';
import { lockHeader } from '../middleware/lock';

function noCache(_req: unknown, res: ServerResponse): void {
  // Locked: transports set their own, weaker cache headers on polling responses.
  lockHeader(res, 'Cache-Control', 'no-store, no-cache, must-revalidate, max-age=0');
  lockHeader(res, 'Pragma', 'no-cache');
}
noCache.upgrade = false;
noCache.plainRequest = true;

/** Polling responses must never be cached by browsers or proxies. */
export const noCachePlugin = definePlugin({
  name: 'no-cache',
  dependencies: ['middleware'],
  options: z.object({}).strict(),
  server(ctx) {
    addLayer(ctx, 'no-cache', noCache);
  },
});
