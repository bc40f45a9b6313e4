import type { ServerContext } from '../../core/context';
import { controlMessage } from '../../core/control';

/**
 * One interval per server: each tick ends the sparks that showed no sign of
 * life since the previous tick and pings the rest. Any inbound frame counts
 * as life (`spark.alive`), not only pongs (spec §7.3). The ping is encoded
 * once per tick for all sparks.
 */
export function startHeartbeat(ctx: ServerContext, pingInterval: number): () => void {
  const kernel = ctx.kernel;
  const tick = (): void => {
    const now = Date.now();
    const prepared = kernel.prepare(controlMessage('ping', now), 'ping');
    if (prepared === null || prepared === undefined) return;
    for (const spark of kernel.connections.values()) {
      if (!spark.alive) {
        spark.end(undefined, { reconnect: true });
        continue;
      }
      spark.alive = false;
      spark.emit('outgoing::ping', now);
      spark.writePrepared(prepared);
    }
  };
  const timer = setInterval(tick, pingInterval);
  return () => clearInterval(timer);
}
