import type { Spark } from '../../core/spark';

/**
 * A spark's resumable session, as the events plugin sees it (the
 * continuity plugin's `spark.session`, read without importing it): what
 * is written to it reaches the client on whichever spark it resumes
 * through, or waits in the session's stream while the client is away. It
 * emits `close` when it can never be resumed (expired, evicted, ended).
 */
export interface Carrier {
  readonly closed: boolean;
  /** The spark the client is connected through now; null while it is away. */
  readonly spark: Spark | null;
  write(data: unknown): boolean;
  once(event: 'close', listener: () => void): unknown;
}

/** The open session that carries `spark`'s messages over a disconnect; undefined for plain sparks. */
export function carrierOf(spark: Spark): Carrier | undefined {
  const session = (spark as unknown as { session?: Carrier | null }).session;
  return session != null && !session.closed ? session : undefined;
}
