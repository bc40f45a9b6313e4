import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Primus } from '../../index';
import type { Client, ClientOptions } from '../../core/client';
export { until } from './net';
import { bundle, killChild } from './processes';
import type { SocketClass } from '../../core/client/factory';

const ROOT = join(__dirname, '..', '..');
/** Inside the repository, so the bundle's `require('ioredis')` finds node_modules. */
const BUNDLE = join(ROOT, 'node_modules', '.cache', 'allspark-tests', 'cluster-node.js');
let built = false;

/** Bundle test/cluster/node.ts once per test file (packages stay external). */
function clusterNode(): string {
  if (!built) bundle(join(ROOT, 'test', 'cluster', 'node.ts'), BUNDLE);
  built = true;
  return BUNDLE;
}

type Message = { type: string; [key: string]: any };

/** A cluster node in a child process. */
export interface ClusterNode {
  readonly nodeId: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the node reported (events, logs, channel messages, data from clients). */
  readonly messages: Message[];
  call<T = any>(cmd: string, ...args: unknown[]): Promise<T>;
  /** Resolve with the first message (from index `from` of `messages` on, or future) that matches. */
  waitFor(match: (m: Message) => boolean, ms?: number, from?: number): Promise<Message>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Start a node on `redis`; resolves once it listens (not necessarily connected to Redis). */
export function startNode(redis: string, nodeId: string, options: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<ClusterNode> {
  const child = fork(clusterNode(), [redis, nodeId, JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, ...env } });
  const messages: Message[] = [];
  const waiters = new Set<{ match: (m: Message) => boolean; resolve: (m: Message) => void }>();
  const replies = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let next = 1;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`node ${nodeId} exited with ${code}`)));
    child.on('message', (m: Message) => {
      if (m.type === 'reply') {
        const reply = replies.get(m.id)!;
        replies.delete(m.id);
        if (m.error) reply.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
        else reply.resolve(m.result);
        return;
      }
      if (m.type === 'fatal') return reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      messages.push(m);
      for (const w of waiters) if (w.match(m)) (waiters.delete(w), w.resolve(m));
      if (m.type !== 'listening') return;
      resolve({
        nodeId,
        url: `http://127.0.0.1:${m.port}`,
        child,
        messages,
        call(cmd, ...args) {
          const id = next++;
          return new Promise((res, rej) => {
            replies.set(id, { resolve: res, reject: rej });
            child.send({ id, cmd, args });
          });
        },
        waitFor(match, ms = 15_000, from = 0) {
          const seen = messages.slice(from).find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((res, rej) => {
            const waiter = { match, resolve: (found: Message) => (clearTimeout(timer), res(found)) };
            const timer = setTimeout(() => (waiters.delete(waiter), rej(new Error(`node ${nodeId}: timed out waiting`))), ms);
            waiters.add(waiter);
          });
        },
        kill: (signal = 'SIGKILL') => killChild(child, signal),
      });
    });
  });
}

/** Start one node per id on `redis`, side by side; resolves once every one is connected to Redis (`ready`). */
export async function startReadyNodes(redis: string, ids: string[], options: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<ClusterNode[]> {
  const nodes = await Promise.all(ids.map((id) => startNode(redis, id, options, env)));
  await Promise.all(nodes.map((n) => n.call('ready')));
  return nodes;
}

const WebSocketClient = Primus.createSocket({ transformer: 'websockets', parser: 'json' });

/** A client connected to `url` (with `?user=`), resolved once open with its spark id. */
export async function connectClient(
  url: string,
  user?: string,
  Socket: SocketClass = WebSocketClient,
  options: ClientOptions = {},
): Promise<{ client: Client; id: string; received: unknown[] }> {
  const query = user ? `?user=${encodeURIComponent(user)}` : '';
  const client = new Socket(url + query, { reconnect: { min: 100, max: 500 }, ...options }) as Client;
  const received: unknown[] = [];
  client.on('data', (d: unknown) => received.push(d));
  const id = await new Promise<string>((resolve) => client.on('open', () => client.id(resolve)));
  return { client, id, received };
}
