/**
 * Helpers of the multi-process Redis store tests: nodes (fixtures/redis-node.ts)
 * in child processes, and clients that write `{ c, n }` every 5 ms and count
 * the echoes. What each node's application processed is in its log file, so
 * lost, duplicated and reordered messages are counted in both directions.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '../../core/client/client';
import { socketClass } from '../../core/client/factory';
import { clientConfigOf } from '../../core/client-config';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { reconnect } from '../../plugins/reconnect';
import { continuity, type ClientContinuityEvent } from '../../plugins/continuity';
import { bundle, kill, startNode, type NodeProcess } from '../helpers/processes';
import { until } from './env';

/** A node process with what it reported over IPC. */
export interface RedisNode extends NodeProcess {
  id: string;
  /** Its `continuity` events: [recovered, reason]. */
  events: Array<[boolean, string | undefined]>;
  logs: Array<{ level: string; code?: string; message?: string }>;
}

/** The bundled node, a temp dir for the logs, and the nodes started (all killed by `cleanup`). */
export function redisNodes() {
  const built = bundle(join(__dirname, 'fixtures', 'redis-node.ts'));
  const logDir = mkdtempSync(join(tmpdir(), 'allspark-continuity-logs-'));
  const started: RedisNode[] = [];
  return {
    logDir,
    async start(redis: string, id: string, env: Record<string, string> = {}): Promise<RedisNode> {
      const node = await startNode(built.file, { REDIS: redis, NODE_ID: id, LOG: join(logDir, `${id}.log`), ...env });
      const out: RedisNode = { ...node, id, events: [], logs: [] };
      node.child.on('message', (m: { continuity?: { recovered: boolean; reason?: string }; log?: RedisNode['logs'][number] }) => {
        if (m.continuity !== undefined) out.events.push([m.continuity.recovered, m.continuity.reason]);
        if (m.log !== undefined) out.logs.push(m.log);
      });
      started.push(out);
      return out;
    },
    /** Per client `c`: every `n` the applications processed, node by node in order of their log files. */
    processed(): Map<number, number[][]> {
      const out = new Map<number, number[][]>();
      for (const file of readdirSync(logDir).sort()) {
        const perClient = new Map<number, number[]>();
        for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
          if (line === '') continue;
          const [c, n] = line.split(' ').map(Number);
          if (!perClient.has(c)) perClient.set(c, []);
          perClient.get(c)!.push(n);
        }
        for (const [c, ns] of perClient) out.set(c, [...(out.get(c) ?? []), ns]);
      }
      return out;
    },
    /**
     * Log lines whose session sequence number is not the client's own count `n`: none when the number a
     * handler reads (`spark.session.processed`) is the same message's on every node, a re-run included.
     */
    keyMismatches(): string[] {
      const out: string[] = [];
      for (const file of readdirSync(logDir).sort()) {
        for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
          const [, n, seq] = line.split(' ').map(Number);
          if (line !== '' && seq !== n) out.push(`${file}: ${line}`);
        }
      }
      return out;
    },
    async cleanup(): Promise<void> {
      for (const node of started) await kill(node);
      built.remove();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/** Our client with continuity and reconnect, as a browser or Node app would have it. */
const ContinuitySocket = socketClass(clientConfigOf('/primus', [[websockets, {}], [jsonParserPlugin, {}], [reconnect, {}], [continuity, {}]]));

/** A client writing `{ c, n }` every 5 ms and recording the echoes and its `continuity` events. */
export class TrafficClient {
  readonly client: Client;
  sent = 0;
  readonly echoes: number[] = [];
  readonly events: ClientContinuityEvent[] = [];
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    readonly c: number,
    url: string,
  ) {
    this.client = new ContinuitySocket(url, { reconnect: { min: 20, max: 100, retries: 1000 } });
    this.client.on('data', (d: unknown) => {
      const echo = (d as { echo?: unknown } | null)?.echo;
      if (typeof echo === 'number') this.echoes.push(echo);
    });
    this.client.on('continuity', (e: ClientContinuityEvent) => this.events.push(e));
    this.#timer = setInterval(() => {
      if (this.client.write({ c: this.c, n: this.sent + 1 })) this.sent++;
    }, 5);
  }

  /** Stop writing, and wait until every message sent came back. */
  async finish(ms = 15_000): Promise<void> {
    clearInterval(this.#timer);
    await until(() => this.echoes.length >= this.sent, ms, `client ${this.c}: ${this.sent} echoes (has ${this.echoes.length})`);
  }

  destroy(): void {
    clearInterval(this.#timer);
    this.client.destroy();
  }
}

/** Lost, duplicated and reordered messages of a client, in both directions (all 0 when continuity held). */
export function tally(t: TrafficClient, processed: Map<number, number[][]>) {
  const expected = Array.from({ length: t.sent }, (_, i) => i + 1);
  const perNode = processed.get(t.c) ?? [];
  const all = perNode.flat();
  const seen = new Set(all);
  return {
    toClient: { lost: expected.filter((n) => !t.echoes.includes(n)).length, duplicated: t.echoes.length - new Set(t.echoes).size, reordered: t.echoes.some((n, i) => i > 0 && n < t.echoes[i - 1]) },
    toServer: { lost: expected.filter((n) => !seen.has(n)).length, duplicated: all.length - seen.size, reordered: perNode.some((ns) => ns.some((n, i) => i > 0 && n < ns[i - 1])) },
  };
}

/** What every client should tally. */
export const CLEAN = { toClient: { lost: 0, duplicated: 0, reordered: false }, toServer: { lost: 0, duplicated: 0, reordered: false } };

/**
 * A client whose node was SIGKILLed: nothing lost or reordered; at most the
 * one message the dead node was processing may have been processed again by
 * the next node (the record that it was processed had not reached Redis),
 * which shows as one duplicate each way here (the echo was sent twice).
 * docs/continuity.md, "What the Redis store guarantees".
 */
export function killedNodeTally(t: ReturnType<typeof tally>) {
  const atMostOne = (n: number): number => (n <= 1 ? 0 : n);
  return {
    toClient: { ...t.toClient, duplicated: atMostOne(t.toClient.duplicated) },
    toServer: { ...t.toServer, duplicated: atMostOne(t.toServer.duplicated) },
  };
}
