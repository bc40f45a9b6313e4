import type { Broker } from '../../core/broker';

/**
 * An optional extension of the cluster {@link Broker} for questions every
 * node must answer (who is in room X?): pub/sub alone cannot tell when all
 * nodes have answered. A broker that knows how many nodes hear a channel
 * (Redis: `PUBLISH` returns the number of receivers) implements these two
 * methods and a request ends as soon as the last answer is in.
 *
 * Without them, {@link requestsOf} falls back to plain publish/subscribe
 * and a request waits its whole timeout for answers.
 */
export interface BrokerRequests {
  /**
   * Send `payload` to every *other* node that answers on `channel` and
   * resolve with their answers, once all have answered or after `timeout`
   * ms with the answers received so far. Never rejects.
   */
  request(channel: string, payload: string, timeout: number): Promise<string[]>;
  /** Answer requests on `channel`; returns the function that stops answering. */
  respond(channel: string, responder: (payload: string, origin: string) => string): () => void;
}

/** The broker's own requests when it has them, else requests over its publish/subscribe. */
export function requestsOf(broker: Broker & Partial<BrokerRequests>): BrokerRequests {
  if (typeof broker.request === 'function' && typeof broker.respond === 'function') return broker as BrokerRequests;
  return new PubSubRequests(broker);
}

/** Most requests one node keeps waiting at a time; past it a request resolves at once with no answers. */
const MAX_PENDING = 1024;

/**
 * Requests over publish/subscribe: the question goes out on the channel, the
 * answers come back on `<channel>:reply:<nodeId>`. The number of answering
 * nodes is unknown, so a request collects until its timeout.
 */
class PubSubRequests implements BrokerRequests {
  readonly #broker: Broker;
  readonly #pending = new Map<number, string[]>();
  #next = 1;

  constructor(broker: Broker) {
    this.#broker = broker;
  }

  request(channel: string, payload: string, timeout: number): Promise<string[]> {
    if (this.#pending.size >= MAX_PENDING) return Promise.resolve([]);
    const id = this.#next++;
    const answers: string[] = [];
    this.#pending.set(id, answers);
    const stop = this.#broker.subscribe(replyChannel(channel, this.#broker.nodeId), (reply) => {
      const [to, body] = JSON.parse(String(reply)) as [number, string];
      this.#pending.get(to)?.push(body);
    });
    this.#broker.publish(channel, JSON.stringify([id, payload]));
    return new Promise((resolve) => {
      setTimeout(() => {
        stop();
        this.#pending.delete(id);
        resolve(answers);
      }, timeout);
    });
  }

  respond(channel: string, responder: (payload: string, origin: string) => string): () => void {
    return this.#broker.subscribe(channel, (message, _channel, origin) => {
      const [id, body] = JSON.parse(String(message)) as [number, string];
      this.#broker.publish(replyChannel(channel, origin), JSON.stringify([id, responder(body, origin)]));
    });
  }
}

function replyChannel(channel: string, nodeId: string): string {
  return `${channel}:reply:${nodeId}`;
}
