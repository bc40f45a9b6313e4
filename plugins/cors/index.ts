import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import { addLayer } from '../middleware';
import { accessControl } from './access';
import { durationMs } from '../../core/duration';

const list = z.union([z.string(), z.array(z.string())]);
const optionalList = z.union([z.string(), z.array(z.string()), z.literal(false)]);

export const corsOptions = z
  .object({
    /** Allowed origins: `*` (any), one origin, a comma/space separated list or an array. Default `*`. */
    origins: list.default('*'),
    /** Allowed methods (string or array); an empty list allows any. Default `GET,HEAD,PUT,POST,DELETE,OPTIONS`. */
    methods: list.default('GET,HEAD,PUT,POST,DELETE,OPTIONS'),
    /** Send `Access-Control-Allow-Credentials: true` (and never `*` as the allowed origin). Default true. */
    credentials: z.boolean().default(true),
    /**
     * How long browsers may cache a preflight: seconds, or a duration string
     * (`"30 days"`, `"2h"`; a bare number string is milliseconds, as in
     * Primus). Resolved to whole seconds; 0 sends no `Access-Control-Max-Age`.
     * Default `"30 days"` (2592000).
     */
    maxAge: z
      .union([
        z.number().nonnegative(),
        z.string().refine((s) => durationMs(s) !== undefined, { message: 'expected a duration such as "30 days"' }),
      ])
      .default('30 days')
      .transform((v) => (typeof v === 'number' ? v : Math.floor(durationMs(v)! / 1000))),
    /** Allowed request headers for preflights; empty (or false) echoes `Access-Control-Request-Headers`. Default `''`. */
    headers: optionalList.default(''),
    /** Response headers scripts may read (`Access-Control-Expose-Headers`); empty sends none. Default `''`. */
    exposed: optionalList.default(''),
  })
  .strict();

/**
 * HTTP Access Control (CORS) for requests under the pathname, as Primus's
 * `cors` layer: refuses foreign origins and methods with 403, answers
 * preflights, sets the allow headers. Upgrades are not affected.
 */
export const cors = definePlugin({
  name: 'cors',
  dependencies: ['middleware'],
  options: corsOptions,
  server(ctx, options) {
    addLayer(ctx, 'cors', Object.assign(accessControl(options), { upgrade: false, plainRequest: true }));
  },
});

export { accessControl, type AccessSettings } from './access';
