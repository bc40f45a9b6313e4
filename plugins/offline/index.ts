import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import { offlineClient } from './client';

/**
 * Browser network events (Primus's `network` handling, spec §4.6): when the
 * browser goes offline the client emits `offline`, closes its transport and
 * waits with its write queue intact, starting no reconnect attempts; when
 * the network returns it emits `online` and reconnects at once (strategy
 * `online`). Unlike Primus it never emits `end` for an outage it will
 * recover from (spec §7.18). Client only; inert outside browsers. Clients
 * can force it with the `network` option (`false` ignores network events).
 */
export const offline = definePlugin({
  name: 'offline',
  options: z.object({}).strict(),
  client: offlineClient,
  browser: 'plugins/offline',
});

export { offlineClient };
