import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import { sparkHeartbeat, startHeartbeat } from './server';
import { heartbeatClient, type HeartbeatClientOptions } from './client';

declare module '../../core/events' {
  interface SparkEvents {
    /** A pong arrived (the stamp it echoes), or a WebSocket-level ping (no stamp). */
    'incoming::pong': [stamp?: number];
    /** A ping went out. */
    'outgoing::ping': [stamp: number];
    /** The client answered a heartbeat. */
    heartbeat: [];
  }
}

/** Registry token of the heartbeat settings, for plugins that report them (the `spec` route). */
export const HEARTBEAT = Symbol('heartbeat');

/** What the heartbeat plugin provides under {@link HEARTBEAT}. */
export interface HeartbeatSettings {
  /** ms between pings, or false when heartbeats are off. */
  pingInterval: number | false;
}

export const heartbeatOptions = z
  .object({
    /** ms between server pings; `false` or 0 disables heartbeats. Default 30000. */
    pingInterval: z.union([z.number().int().nonnegative(), z.literal(false)]).default(30_000),
  })
  .strict();

/**
 * Heartbeats (Primus wire): the server sends `primus::ping::<ms>`, clients
 * answer `primus::pong::<ms>`. The server drops sparks that stay silent for
 * a whole interval; clients reconnect when no ping arrives within
 * `pingTimeout` (default 1.5 × pingInterval).
 */
export const heartbeat = definePlugin({
  name: 'heartbeat',
  options: heartbeatOptions,
  server(ctx, { pingInterval }) {
    ctx.provide(HEARTBEAT, { pingInterval: pingInterval || false });
    ctx.decorateSpark('heartbeat', { value: sparkHeartbeat, writable: true });
    ctx.control('pong', (spark, value) => {
      spark.alive = true;
      spark.emit('incoming::pong', Number(value));
      spark.emit('heartbeat');
    });
    if (!pingInterval) return;
    let stop: (() => void) | undefined;
    ctx.hook('onInit', () => {
      stop ??= startHeartbeat(ctx, pingInterval);
    });
    return () => stop?.();
  },
  client: heartbeatClient,
  browser: 'plugins/heartbeat',
  clientOptions: ({ pingInterval }): HeartbeatClientOptions => ({
    pingTimeout: pingInterval ? pingInterval + Math.round(pingInterval / 2) : false,
  }),
});
