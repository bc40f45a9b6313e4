import type { Broker, BrokerPayload } from '../../core/broker';
import { invalidQuery, parseJson } from './query-format';
import type { AllsparkError } from '../../core/errors';

/**
 * An optional extension of the cluster {@link Broker} for questions every
 * node must answer (who is in room X?): pub/sub alone cannot tell when all
 * nodes have answered. A broker that knows how many nodes hear a channel
 * (Redis: `PUBLISH` returns the number of receivers) implements these two
 * methods and a request ends as soon as the last answer is in.
 *
 * Without them, {@link requestsOf} falls back to publish/subscribe. A
 * request then ends early only when the broker offers
 * {@link CountedPublish} (the cluster plugin's Redis broker does); else it
 * waits its whole timeout for answers.
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

/**
 * Optional: a publish that tells how many nodes received it (Redis's
 * `PUBLISH` answer, this node included when it listens on the channel);
 * `null` when the publish was dropped.
 */
export interface CountedPublish {
  publishCounted(channel: string, payload: string): Promise<number> | null;
}

/**
 * The broker's own requests when it has them, else requests over its
 * publish/subscribe; `report` gets what arrives malformed on their channels
 * (dropped: it names no request to answer).
 */
export function requestsOf(broker: Broker & Partial<BrokerRequests> & Partial<CountedPublish>, report: (err: AllsparkError) => void): BrokerRequests {
  if (typeof broker.request === 'function' && typeof broker.respond === 'function') return broker as BrokerRequests;
  return new PubSubRequests(broker, report);
}

/**
 * Requests over publish/subscribe: the question goes out on the channel, the
 * answers come back on `<channel>:reply:<nodeId>`. The number of answering
 * nodes is unknown, so a request collects until its timeout. Its caller
 * bounds how many wait at once (the rooms plugin's `maxPendingQueries`).
 */
class PubSubRequests implements BrokerRequests {
  readonly #broker: Broker & Partial<CountedPublish>;
  readonly #report: (err: AllsparkError) => void;
  readonly #pending = new Map<number, { answers: string[]; expected: number; done: () => void }>();
  /** Channels this node answers on: its own publish there is counted by Redis but never answered. */
  readonly #answering = new Map<string, number>();
  #next = 1;

  constructor(broker: Broker & Partial<CountedPublish>, report: (err: AllsparkError) => void) {
    this.#broker = broker;
    this.#report = report;
  }

  request(channel: string, payload: string, timeout: number): Promise<string[]> {
    const id = this.#next++;
    const broker = this.#broker;
    return new Promise((resolve) => {
      const entry = { answers: [] as string[], expected: Infinity, done: () => undefined as void };
      // Answering nodes listen for replies from the start (see respond); others only during the request.
      const stop = this.#answering.has(channel) ? undefined : broker.subscribe(replyChannel(channel, broker.nodeId), this.#onReply);
      const timer = setTimeout(() => entry.done(), timeout);
      entry.done = () => {
        clearTimeout(timer);
        stop?.();
        this.#pending.delete(id);
        resolve(entry.answers);
      };
      this.#pending.set(id, entry);
      const message = JSON.stringify([id, payload]);
      const counted = typeof broker.publishCounted === 'function' ? broker.publishCounted(channel, message) : (broker.publish(channel, message), undefined);
      if (counted === null) return entry.done();
      counted?.then(
        (receivers) => {
          entry.expected = receivers - (this.#answering.has(channel) ? 1 : 0);
          if (entry.answers.length >= entry.expected) entry.done();
        },
        () => undefined,
      );
    });
  }

  respond(channel: string, responder: (payload: string, origin: string) => string): () => void {
    this.#answering.set(channel, (this.#answering.get(channel) ?? 0) + 1);
    // Subscribed long before any request, so no reply can arrive before the subscription does.
    const stopReplies = this.#broker.subscribe(replyChannel(channel, this.#broker.nodeId), this.#onReply);
    const stop = this.#broker.subscribe(channel, (message, _channel, origin) => {
      const request = parse(message);
      if (request === undefined) return this.#report(invalidQuery(`Malformed membership query from node ${origin} (not [id, query]): dropped`));
      this.#broker.publish(replyChannel(channel, origin), JSON.stringify([request[0], responder(request[1], origin)]));
    });
    return () => {
      stop();
      stopReplies();
      const left = (this.#answering.get(channel) ?? 1) - 1;
      if (left > 0) this.#answering.set(channel, left);
      else this.#answering.delete(channel);
    };
  }

  /** An answer to one of this node's requests. */
  #onReply = (reply: BrokerPayload, _channel: string, origin: string): void => {
    const answer = parse(reply);
    if (answer === undefined) return this.#report(invalidQuery(`Malformed answer to a membership query from node ${origin} (not [id, answer]): dropped`));
    const pending = this.#pending.get(answer[0]);
    if (pending === undefined) return;
    pending.answers.push(answer[1]);
    if (pending.answers.length >= pending.expected) pending.done();
  };
}

/** `[id, body]` from a request or reply; undefined for anything else (a node of another version, say). */
function parse(message: BrokerPayload): [number, string] | undefined {
  const value = parseJson(String(message));
  return Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string' ? (value as [number, string]) : undefined;
}

function replyChannel(channel: string, nodeId: string): string {
  return `${channel}:reply:${nodeId}`;
}
