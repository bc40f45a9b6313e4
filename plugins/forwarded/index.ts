import { z } from 'zod';
import { definePlugin } from '../../core/plugin';
import type { KernelRequest } from '../../core/http';
import { addLayer } from '../middleware';
import { forwardedFor } from './address';

export const forwardedOptions = z
  .object({
    /**
     * Which peers may report a client address in proxy headers
     * (`x-forwarded-for`, `forwarded`, `x-real-ip`, …): `true` any (Primus's
     * default), a list of proxy IPs, or `false` none. Default true.
     */
    trustProxy: z.union([z.boolean(), z.array(z.string())]).default(true),
  })
  .strict();

/** Sets `req.forwarded` (and so `spark.address`) from trusted proxy headers. */
export const forwarded = definePlugin({
  name: 'forwarded',
  dependencies: ['middleware'],
  options: forwardedOptions,
  server(ctx, { trustProxy }) {
    addLayer(ctx, 'forwarded', (req: KernelRequest, _res: unknown) => {
      req.forwarded = forwardedFor(req, trustProxy);
    });
  },
});

export { forwardedFor };
