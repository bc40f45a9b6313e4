import type { Frame } from './types';
// Type-only: no runtime cycle with the kernel, which imports this file.
import type { Kernel } from './kernel';
import { AllsparkError, ErrorCodes, describe } from './errors';

/**
 * The message bus between the nodes of a cluster. At most one plugin
 * provides it (`ctx.provide(Slots.broker, …)`, for example the cluster
 * plugin on Redis); without one the kernel is a single node and every
 * feature works locally.
 *
 * Two primitives, as in Socket.IO's adapter split: the broker only moves
 * opaque payloads between nodes; the kernel and the plugins that use it
 * (broadcast, rooms, send-to-spark, continuity) own what a payload means,
 * encode it once, and deliver to their local sparks themselves.
 */
export interface Broker {
  /** This node's id, unique in the cluster while the node lives. */
  readonly nodeId: string;
  /**
   * Send `payload` to every *other* node subscribed to `channel` (the
   * publisher delivers to its own sparks directly, without a round trip).
   * Never throws and never queues without a bound: returns false when the
   * payload could not be sent, after reporting why on the kernel's `log`.
   */
  publish(channel: string, payload: BrokerPayload): boolean;
  /**
   * Receive what other nodes publish on `channel`. Subscriptions are
   * reference-counted per node, so a node listens to a channel only while
   * something local needs it (a room with local members, say). Returns the
   * function that drops this one subscription.
   */
  subscribe(channel: string, handler: BrokerHandler): () => void;
}

/** What travels between nodes: encoded bytes or text, never re-encoded per spark. */
export type BrokerPayload = string | Uint8Array;

/** Receives one payload published by node `origin` on `channel`. */
export type BrokerHandler = (payload: BrokerPayload, channel: string, origin: string) => void;

/** The channel every node's kernel listens on for `kernel.write` broadcasts from other nodes. */
export const BROADCAST_CHANNEL = 'broadcast';

/**
 * Listen for other nodes' broadcasts and deliver each to the local sparks:
 * one `prepareFrame` per node (one frame for every local spark), or one
 * decode when outgoing transforms need the message per spark. Returns the
 * function that stops listening.
 */
export function receiveBroadcasts(kernel: Kernel, broker: Broker): () => void {
  return broker.subscribe(BROADCAST_CHANNEL, (payload) => {
    if (kernel.connections.size === 0) return;
    if (kernel.hooks.onSend !== null) {
      let data: unknown;
      try {
        data = kernel.parser.decode(payload);
      } catch (err) {
        // Another node's frame this parser cannot read: the nodes run different parsers.
        kernel.log('error', new AllsparkError(ErrorCodes.PARSE, `Failed to decode a broadcast from another node: ${describe(err)}`, { cause: err }));
        return;
      }
      for (const spark of kernel.connections.values()) spark.write(data);
      return;
    }
    const prepared = kernel.prepareFrame(payload);
    for (const spark of kernel.connections.values()) spark.writePrepared(prepared);
  });
}

/** A frame as a broker payload: text stays text, bytes are viewed, never copied. */
export function brokerPayload(frame: Frame): BrokerPayload {
  return frame instanceof ArrayBuffer ? new Uint8Array(frame) : frame;
}
