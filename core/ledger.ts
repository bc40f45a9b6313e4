import type { Frame } from './types';
import type { Spark } from './spark';

/**
 * Sees every data message of every spark at the two points where the
 * message path is final: after the outgoing transforms, once encoded (what
 * the client will receive), and before the incoming transforms (what the
 * client sent). At most one plugin provides it (`ctx.provide(Slots.ledger,
 * …)`; continuity numbers messages with it). Control messages never pass
 * here. Without a provider the message path pays one `null` test.
 */
export interface MessageLedger {
  /** A data frame is about to be sent to `spark` (also for broadcasts, once per spark). */
  sending(spark: Spark, frame: Frame): void;
  /** A data message from `spark` is about to be delivered. Return false to drop it (a duplicate). */
  received(spark: Spark): boolean;
}
