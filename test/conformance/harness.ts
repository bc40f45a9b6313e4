import { createServer, request, type Server, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Primus } from '../../index';
import type { PrimusOptions } from '../../facade/options';
import type { Spark } from '../../core/spark';
import type { TransformerName } from './capabilities';
import { collect, once } from '../helpers/net';

/** Anything a test opened and must close: our clients, Primus 8 clients, raw sockets. */
interface Closable {
  destroy(): unknown;
}

/** A facade server on 127.0.0.1 and everything the test opened against it. */
export interface Env {
  transformer: TransformerName;
  primus: Primus;
  server: Server;
  port: number;
  url: string;
  /** Every `log` event, in order. */
  logs: Array<{ level: string; args: unknown[] }>;
  clients: Closable[];
}

/** Default back-off for test clients: fast, bounded. */
export const FAST_RECONNECT = { min: 50, max: 200, retries: 40 };

/** Start `new Primus(httpServer, { transformer, ...options })` listening on 127.0.0.1 (port 0 unless given). */
export async function start(transformer: TransformerName, options: PrimusOptions = {}, port = 0): Promise<Env> {
  const server = createServer();
  const primus = new Primus(server, { transformer, pingInterval: false, ...options });
  const logs: Env['logs'] = [];
  primus.on('log', (level: string, ...args: unknown[]) => logs.push({ level, args }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return { transformer, primus, server, port: actual, url: `http://127.0.0.1:${actual}`, logs, clients: [] };
}

/** Close what a test opened and the server (without a reconnect hint). */
export async function stop(env: Env | undefined): Promise<void> {
  if (!env) return;
  for (const c of env.clients.splice(0)) c.destroy();
  await destroy(env.primus);
}

export function destroy(primus: Primus, options: { reconnect?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    primus.destroy(options, (err?: unknown) => (err ? reject(err) : resolve()));
  });
}

/** Our Node client for this server (`primus.Socket`), tracked for cleanup. */
export function ours(env: Env, options: Record<string, unknown> = {}, query = ''): any {
  const client = new env.primus.Socket(env.url + query, { reconnect: FAST_RECONNECT, ...options });
  env.clients.push(client);
  return client;
}

const realClasses = new Map<string, any>();

/**
 * A real Primus 8 client class (`require('primus').createSocket`), cached:
 * Primus compiles its whole library for each one.
 */
export function realSocket(transformer: TransformerName, extra: Record<string, unknown> = {}): any {
  const key = transformer + JSON.stringify(extra);
  let Socket = realClasses.get(key);
  if (!Socket) {
    Socket = require('primus').createSocket({ transformer, ...extra });
    realClasses.set(key, Socket);
  }
  return Socket;
}

/** A real Primus 8 client connected to this server, tracked for cleanup. */
export function real(env: Env, options: Record<string, unknown> = {}, query = '', extra: Record<string, unknown> = {}): any {
  const Socket = realSocket(env.transformer, extra);
  const client = new Socket(env.url + query, { reconnect: FAST_RECONNECT, ...options });
  // Primus 8 clients are Node streams: an unheard `error` would throw.
  client.on('error', () => undefined);
  env.clients.push(client);
  return client;
}

/** Resolve with the first argument of the next `event` (the shared helper, with a longer wait). */
export function next<T = any>(emitter: { once(event: string, fn: (...a: any[]) => void): unknown }, event: string, ms = 8000): Promise<T> {
  return once<T>(emitter, event, ms);
}

/** Resolve once `n` `event`s were seen, with their first arguments (the shared helper, with a longer wait). */
export function take<T = any>(emitter: { on(event: string, fn: (...a: any[]) => void): unknown }, event: string, n: number, ms = 8000): Promise<T[]> {
  return collect<T>(emitter, event, n, ms);
}

/** The next spark to connect. */
export function nextSpark(env: Env, ms?: number): Promise<Spark> {
  return next<Spark>(env.primus, 'connection', ms);
}

/** Resolve when `check()` holds, testing on every `event` of `emitter` (for states reached through events). */
export function until(emitter: { on(e: string, f: () => void): unknown; off?: unknown }, event: string, check: () => boolean, ms = 8000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => reject(new Error(`timed out waiting on "${event}"`)), ms);
    emitter.on(event, () => {
      if (!check()) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The first `log` entry carrying an error with `code`, once it is there. */
export function loggedError(env: Env, code: string, ms = 8000): Promise<{ level: string; error: Error & { code?: string } }> {
  const find = () => {
    for (const entry of env.logs) {
      const error = entry.args.find((a) => (a as { code?: string } | null)?.code === code) as (Error & { code?: string }) | undefined;
      if (error) return { level: entry.level, error };
    }
    return undefined;
  };
  return new Promise((resolve, reject) => {
    const hit = find();
    if (hit) return resolve(hit);
    const timer = setTimeout(() => reject(new Error(`no ${code} logged`)), ms);
    const onLog = () => {
      const found = find();
      if (!found) return;
      clearTimeout(timer);
      env.primus.removeListener('log', onLog);
      resolve(found);
    };
    env.primus.on('log', onLog);
  });
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One raw HTTP request to the server. A server that answers early and
 * closes (413) may reset the upload: the response still counts when it
 * arrived; a reset without one resolves with status 0.
 */
export function http(env: Env, method: string, path: string, body?: string, headers: Record<string, string | number> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = request({ host: '127.0.0.1', port: env.port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      const done = () => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') resolve({ status: 0, headers: {}, body: '' });
      else reject(err);
    });
    if (body !== undefined) req.end(body);
    else req.end();
  });
}
