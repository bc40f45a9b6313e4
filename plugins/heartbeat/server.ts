import type { ServerContext } from '../../core/context';
import { controlMessage } from '../../core/control';
import type { Spark } from '../../core/spark';

/**
 * One spark's heartbeat (Primus's `spark.heartbeat()`): end it when it showed
 * no sign of life since the last one, ping it otherwise. Sparks get it as a
 * writable method; the interval calls a replaced one instead of its own ping.
 */
export function sparkHeartbeat(this: Spark): void {
  if (!this.alive) {
    this.end(undefined, { reconnect: true });
    return;
  }
  const now = Date.now();
  this.alive = false;
  this.emit('outgoing::ping', now);
  this.writeControl('ping', now);
}

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
      if (spark.heartbeat !== sparkHeartbeat) {
        spark.heartbeat?.();
        continue;
      }
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

declare module '../../core/spark' {
  interface SparkDecorations {
    /** Primus's `spark.heartbeat()`, replaceable per spark (see {@link sparkHeartbeat}). */
    heartbeat?: (this: Spark) => void;
  }
}
