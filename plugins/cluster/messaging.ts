import type { BrokerPayload } from '../../core/broker';
import { brokerPayload } from '../../core/broker';
import type { Kernel } from '../../core/kernel';
import type { Frame } from '../../core/types';
import { AllsparkError, ErrorCodes, describe } from '../../core/errors';
import type { RedisBroker } from './broker';
import type { RedisDriver } from './driver';
import { unavailable } from './cluster';

/** What became of a message sent to a list of spark ids. */
export interface SendReport {
  /** Ids whose spark got the message (on this node or another). */
  delivered: string[];
  /** Ids no live node has (never connected, gone, or on a node that died). */
  unknown: string[];
}

interface Pending {
  resolve: (delivered: string[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const NEWLINE = 10;

/**
 * Send-to-spark across nodes. The sender looks the ids up in the routing
 * table (one HMGET), publishes one request per node that holds some of
 * them on that node's own channel (`node:<id>`), and the node answers with
 * the ids it delivered to. A request is `<json header>\n<frame>`; the frame
 * is encoded once by the sender and sent as is.
 */
export class Messaging {
  readonly #kernel: Kernel;
  readonly #broker: RedisBroker;
  readonly #driver: RedisDriver;
  readonly #sparksKey: string;
  readonly #timeout: number;
  readonly #maxPending: number;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  readonly #stop: () => void;

  constructor(kernel: Kernel, broker: RedisBroker, driver: RedisDriver, sparksKey: string, limits: { timeout: number; maxPending: number }) {
    this.#kernel = kernel;
    this.#broker = broker;
    this.#driver = driver;
    this.#sparksKey = sparksKey;
    this.#timeout = limits.timeout;
    this.#maxPending = limits.maxPending;
    this.#stop = broker.subscribe(nodeChannel(broker.nodeId), this.#onMessage);
  }

  /** Deliver `data` to each id, wherever its spark is. */
  async send(ids: readonly string[], data: unknown): Promise<SendReport> {
    const report: SendReport = { delivered: [], unknown: [] };
    const remote: string[] = [];
    for (const id of ids) {
      const spark = this.#kernel.connections.get(id);
      if (spark === undefined) {
        remote.push(id);
        continue;
      }
      // Written even when write() reports a full socket buffer: that is backpressure, not loss.
      spark.write(data);
      report.delivered.push(id);
    }
    if (remote.length === 0) return report;
    const frame = this.#encode(data);
    const nodes = (await unavailable(this.#driver.command('hmget', [this.#sparksKey, ...remote]))) as Array<string | null>;
    const byNode = new Map<string, string[]>();
    remote.forEach((id, i) => {
      const node = nodes[i];
      if (node === null || node === this.#broker.nodeId) report.unknown.push(id);
      else byNode.set(node, [...(byNode.get(node) ?? []), id]);
    });
    const answers = await Promise.all([...byNode].map(([node, list]) => this.#request(node, list, frame)));
    [...byNode.values()].forEach((list, i) => {
      const got = new Set(answers[i]);
      for (const id of list) (got.has(id) ? report.delivered : report.unknown).push(id);
    });
    return report;
  }

  /** Reject every waiting send and stop listening. */
  close(): void {
    this.#stop();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new AllsparkError(ErrorCodes.CLUSTER, 'The cluster plugin closed before the node answered'));
    }
    this.#pending.clear();
  }

  #encode(data: unknown): Frame {
    try {
      const frame = this.#kernel.parser.encode(data);
      if (frame === undefined) throw new Error('the parser encoded nothing');
      return frame;
    } catch (err) {
      throw new AllsparkError(ErrorCodes.ENCODE, `Failed to encode the message: ${describe(err)}`, { cause: err });
    }
  }

  /** Ask `node` to deliver `frame` to `ids`; resolves with the ids it delivered to. */
  #request(node: string, ids: string[], frame: Frame): Promise<string[]> {
    if (this.#pending.size >= this.#maxPending) {
      return Promise.reject(new AllsparkError(ErrorCodes.CLUSTER, `Too many cross-node sends waiting (maxPendingSends ${this.#maxPending})`));
    }
    const request = this.#nextId++;
    const sent = this.#broker.publishCounted(nodeChannel(node), framed({ r: request, i: ids }, frame));
    if (sent === null) return Promise.reject(new AllsparkError(ErrorCodes.CLUSTER, 'Redis is unavailable: the message was not sent'));
    return new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(request);
        reject(new AllsparkError(ErrorCodes.CLUSTER, `Node ${node} did not answer within ${this.#timeout} ms`));
      }, this.#timeout);
      this.#pending.set(request, { resolve, reject, timer });
      // Nobody listens on a dead node's channel: its ids are unknown now, not after the timeout.
      sent.then((receivers) => (receivers === 0 ? this.#answer(request, []) : undefined), () => undefined);
    });
  }

  #answer(request: number, delivered: string[]): void {
    const pending = this.#pending.get(request);
    if (pending === undefined) return;
    this.#pending.delete(request);
    clearTimeout(pending.timer);
    pending.resolve(delivered);
  }

  #onMessage = (payload: BrokerPayload, _channel: string, origin: string): void => {
    const { header, frame } = unframe(payload);
    if (header.d !== undefined) return this.#answer(header.r, header.d);
    const delivered = this.#deliver(header.i ?? [], frame);
    this.#broker.publish(nodeChannel(origin), JSON.stringify({ r: header.r, d: delivered }) + '\n');
  };

  /** Deliver a frame another node encoded to the local sparks among `ids`; returns those that were here. */
  #deliver(ids: string[], frame: Frame): string[] {
    const kernel = this.#kernel;
    const here = ids.filter((id) => kernel.connections.has(id));
    if (here.length === 0) return here;
    if (kernel.hooks.onSend !== null) {
      const data = kernel.parser.decode(frame);
      for (const id of here) kernel.connections.get(id)!.write(data);
    } else {
      // writePrepared, even for one spark: a ledger (continuity) must count what reaches it.
      const prepared = kernel.prepareFrame(frame);
      for (const id of here) kernel.connections.get(id)!.writePrepared(prepared);
    }
    return here;
  }
}

/** The channel a node receives its direct messages on. */
export function nodeChannel(node: string): string {
  return `node:${node}`;
}

interface Header {
  /** Request number. */
  r: number;
  /** Ids to deliver to (a request). */
  i?: string[];
  /** Ids delivered to (an answer). */
  d?: string[];
}

function framed(header: Header, frame: Frame): BrokerPayload {
  const head = JSON.stringify(header) + '\n';
  const payload = brokerPayload(frame);
  return typeof payload === 'string' ? head + payload : Buffer.concat([Buffer.from(head), payload]);
}

function unframe(payload: BrokerPayload): { header: Header; frame: Frame } {
  if (typeof payload === 'string') {
    const at = payload.indexOf('\n');
    return { header: JSON.parse(payload.slice(0, at)) as Header, frame: payload.slice(at + 1) };
  }
  const at = payload.indexOf(NEWLINE);
  return { header: JSON.parse(Buffer.from(payload.subarray(0, at)).toString()) as Header, frame: payload.subarray(at + 1) };
}
