/**
 * An echo server in a process of its own, so a test can tell "the input
 * was refused" from "the input killed the process". Started by
 * `startChild` (../child-server.ts) with its configuration as JSON in
 * argv[2]; talks to the parent over IPC: `{ port }` once listening, every
 * `log` event as `{ log }`, and `{ stats }` when asked.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Primus } from '../../../index';
import type { AllsparkError } from '../../../core/errors';

export interface ChildConfig {
  transformer: string;
  parser?: string;
  /** Refuse with a 401 (the authorizer) every request whose URL mentions `refuse`. */
  refuse?: boolean;
  /** Kernel maxLength, when not the default. */
  maxLength?: number;
}

const config = JSON.parse(process.argv[2]) as ChildConfig;
const send = (message: unknown): void => {
  if (process.connected) process.send!(message);
};

const server = createServer();
const primus = new Primus(server, {
  transformer: config.transformer,
  parser: config.parser ?? 'json',
  pingInterval: false,
  ...(config.maxLength === undefined ? {} : { maxLength: config.maxLength }),
});
if (config.refuse) {
  primus.authorize((req: { url?: string }, done: (err?: unknown) => void) =>
    done(req.url?.includes('refuse') ? { statusCode: 401, message: 'go away' } : undefined),
  );
}
primus.on('connection', (spark) => {
  spark.on('data', (data) => spark.write(data));
});
primus.on('log', (level: string, ...args: unknown[]) => {
  const err = args[0] as Partial<AllsparkError> | string | undefined;
  const entry = typeof err === 'object' && err !== null ? { code: err.code, message: String(err.message).slice(0, 300) } : { message: String(err) };
  send({ log: { level, ...entry } });
});
process.on('message', (message) => {
  if (message === 'stats') send({ stats: { rss: process.memoryUsage().rss, connected: primus.connected } });
});
// Leave with the parent, whatever happens to it.
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => send({ port: (server.address() as AddressInfo).port }));
