import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventEmitter } from 'node:events';

/** An HTTP server listening on 127.0.0.1 at an ephemeral port. */
export async function httpServer(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Listen again on a given port (for restart tests). */
export async function httpServerOn(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

export function urlOf(server: Server, query = ''): string {
  return `http://127.0.0.1:${portOf(server)}${query}`;
}

type Emitter = { once(event: string, fn: (...a: any[]) => void): unknown };

/** Resolve with all arguments of the next `event` (rejects after `ms`). */
export function onceArgs<T extends unknown[] = unknown[]>(emitter: Emitter, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${event}"`)), ms);
    emitter.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

/** Resolve with the first argument of the next `event` (rejects after `ms`). */
export async function once<T = unknown>(emitter: Emitter, event: string, ms = 5000): Promise<T> {
  return (await onceArgs(emitter, event, ms))[0] as T;
}

/** Collect `n` emissions of `event`. */
export function collect<T = unknown>(emitter: EventEmitter | { on(e: string, f: (...a: any[]) => void): unknown; off?: unknown }, event: string, n: number, ms = 5000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    const timer = setTimeout(() => reject(new Error(`timed out: ${got.length}/${n} "${event}"`)), ms);
    emitter.on(event, (value: T) => {
      got.push(value);
      if (got.length === n) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

/** Poll `check` every `step` ms until it returns true (rejects after `ms`, naming `what`). */
export async function until(check: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition', step = 50): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(step);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Close an HTTP server, dropping its open connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
