import { definePlugin, type PluginDefinition } from '../../core/plugin';
import { Slots } from '../../core/slots';
import type { Broker, BrokerHandler, BrokerPayload } from '../../core/broker';

/**
 * An in-process message bus with the broker contract (publish reaches the
 * *other* nodes subscribed, asynchronously, subscriptions ref-counted per
 * node), for testing broker users with several kernels in one process.
 * With `requests: true` its brokers also answer the rooms plugin's
 * request/respond extension, knowing exactly how many nodes answer.
 */
export class MemoryBus {
  /** channel → node → handlers */
  readonly subscriptions = new Map<string, Map<string, Set<BrokerHandler>>>();
  readonly published: Array<{ channel: string; origin: string }> = [];
  readonly #responders = new Map<string, Map<string, (payload: string, origin: string) => string>>();

  /**
   * `requests`: brokers implement the request/respond extension;
   * `counted`: brokers offer `publishCounted` (how many nodes got a publish, as Redis tells).
   */
  constructor(readonly options: { requests?: boolean; counted?: boolean } = {}) {}

  /** Nodes subscribed to `channel`. */
  nodesOn(channel: string): string[] {
    return [...(this.subscriptions.get(channel)?.keys() ?? [])];
  }

  broker(nodeId: string): Broker {
    const bus = this;
    const broker: Broker & Record<string, unknown> = {
      nodeId,
      publish(channel: string, payload: BrokerPayload): boolean {
        bus.published.push({ channel, origin: nodeId });
        for (const [node, handlers] of bus.subscriptions.get(channel) ?? []) {
          if (node === nodeId) continue;
          for (const handler of handlers) setImmediate(handler, payload, channel, nodeId);
        }
        return true;
      },
      subscribe(channel: string, handler: BrokerHandler): () => void {
        const nodes = bus.subscriptions.get(channel) ?? new Map<string, Set<BrokerHandler>>();
        bus.subscriptions.set(channel, nodes);
        const handlers = nodes.get(nodeId) ?? new Set<BrokerHandler>();
        nodes.set(nodeId, handlers);
        // A wrapper per subscription, so one handler subscribed twice counts twice.
        const entry: BrokerHandler = (...args) => handler(...args);
        handlers.add(entry);
        return () => {
          handlers.delete(entry);
          if (handlers.size === 0) nodes.delete(nodeId);
          if (nodes.size === 0) bus.subscriptions.delete(channel);
        };
      },
    };
    if (this.options.counted) {
      broker.publishCounted = (channel: string, payload: string): Promise<number> => {
        const receivers = bus.nodesOn(channel).length;
        broker.publish(channel, payload);
        return Promise.resolve(receivers);
      };
    }
    if (this.options.requests) {
      broker.request = async (channel: string, payload: string): Promise<string[]> => {
        await new Promise((r) => setImmediate(r));
        const answers: string[] = [];
        for (const [node, responder] of bus.#responders.get(channel) ?? []) if (node !== nodeId) answers.push(responder(payload, nodeId));
        return answers;
      };
      broker.respond = (channel: string, responder: (payload: string, origin: string) => string): (() => void) => {
        const nodes = bus.#responders.get(channel) ?? new Map();
        bus.#responders.set(channel, nodes);
        nodes.set(nodeId, responder);
        return () => nodes.delete(nodeId);
      };
    }
    return broker;
  }

  /** A plugin that provides this bus's broker for node `nodeId`. */
  plugin(nodeId: string): PluginDefinition {
    return definePlugin({ name: 'memory-broker', server: (ctx) => ctx.provide(Slots.broker, this.broker(nodeId)) });
  }
}
