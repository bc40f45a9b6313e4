import { EventEmitter } from 'node:events';
import type { Spark } from '../../core/spark';
import type { Kernel } from '../../core/kernel';
import type { MemoryStream } from './stream';
import type { ContinuityStore } from './store';
import { ACK } from './protocol';

/**
 * A resumable session: what outlives the sparks of one client. Spark ids
 * change on every reconnect; `session.id` does not. Write to the session
 * (`spark.session.write(data)`) to reach the client wherever it is: while it
 * is away the message waits in the session's stream and is replayed when it
 * resumes. Emits `attach` (spark) and `detach`.
 */
export class Session extends EventEmitter {
  /** The spark the client is connected through, or null while it is away. */
  spark: Spark | null = null;
  /** The token the next resume must present (rotated on every connect). */
  token: string;
  /** The token before it, valid only until the client confirms `token` (its hello may have been lost). */
  previous: string | null;
  /** Sequence number of the last client message processed. */
  processed = 0;
  /** Sequence number the next client message on the current connection has. */
  inbound = 1;
  /** Last sequence number acknowledged to the client. */
  acked = 0;
  /** Set by the store when the session is gone (expired, evicted, ended). */
  closed = false;
  /** The kernel that last served it (its parser encodes what is written while the client is away). */
  kernel: Kernel | null = null;
  /** @internal store bookkeeping: its expiry timer while the client is away. */
  expiry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** The session id, stable across reconnects. */
    readonly id: string,
    /** Who created it (from the `identify` option); only they may resume it. */
    readonly identity: string | undefined,
    token: string,
    previous: string | null,
    /** Messages to the client, with offsets (with a remote store: this node's bounded copy). */
    readonly stream: MemoryStream,
    /** The store that keeps it. */
    readonly store: ContinuityStore,
  ) {
    super();
    this.token = token;
    this.previous = previous;
  }

  /**
   * Send `data` to the client: through its spark when connected (outgoing
   * transforms run), otherwise encoded now and kept for the resume (no
   * spark, so no spark transforms). False when the session is closed or the
   * message could not be encoded.
   */
  write(data: unknown): boolean {
    if (this.closed) return false;
    const spark = this.spark;
    if (spark !== null && spark.readyState === 3 /* OPEN */) return spark.write(data);
    const kernel = this.kernel;
    if (kernel === null) return false;
    let frame;
    try {
      frame = kernel.parser.encode(data);
    } catch (err) {
      kernel.log('error', err);
      return false;
    }
    if (frame === undefined) return true;
    this.store.append(this, frame, Date.now());
    return true;
  }

  /** End the session for good: the client is sent away (no reconnect) and nothing can resume it. */
  end(): void {
    const spark = this.spark;
    this.spark = null;
    this.store.forget(this);
    spark?.end();
  }

  /** Send the acknowledgement for what was processed, now. */
  flushAck(): void {
    const spark = this.spark;
    if (spark === null || this.acked === this.processed) return;
    this.acked = this.processed;
    spark.writeControl(ACK, this.processed);
  }
}
