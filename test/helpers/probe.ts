import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { Primus } from '../../index';
import { FAST_RECONNECT } from '../conformance/harness';
import { once } from './net';

/** Our client for a server we do not run in this process (a child's). */
export interface ProbeClient {
  write(data: unknown): boolean;
  on(event: string, fn: (...args: any[]) => void): unknown;
  once(event: string, fn: (...args: any[]) => void): unknown;
  off(event: string, fn: (...args: any[]) => void): unknown;
  destroy(): void;
}

const classes = new Map<string, new (url: string, options: Record<string, unknown>) => ProbeClient>();

/** A connected client of `transformer` / `parser` at `url`, reconnecting fast. */
export async function healthyClient(url: string, transformer: string, parser = 'json'): Promise<ProbeClient> {
  const key = `${transformer} ${parser}`;
  let Socket = classes.get(key);
  if (Socket === undefined) {
    Socket = (Primus as unknown as { createSocket(o: object): typeof Socket }).createSocket({ transformer, parser })!;
    classes.set(key, Socket);
  }
  const client = new Socket(url, { reconnect: FAST_RECONNECT });
  await once(client, 'open', 15_000);
  return client;
}

let sequence = 0;

/** Send a value and wait for its echo: the server is alive and serving this client. */
export function roundTrip(client: ProbeClient, ms = 15_000): Promise<void> {
  const probe = { probe: ++sequence };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('data', onData);
      reject(new Error(`no echo of probe ${probe.probe} within ${ms} ms`));
    }, ms);
    function onData(data: unknown): void {
      if ((data as { probe?: number } | null)?.probe !== probe.probe) return;
      clearTimeout(timer);
      client.off('data', onData);
      resolve();
    }
    client.on('data', onData);
    client.write(probe);
  });
}

/**
 * Open a TCP connection, write `request`, wait `delayMs` (or for the first
 * bytes of an answer when `delayMs` is 'answer'), then reset it (RST).
 */
export function sendAndReset(port: number, request: string | Buffer, delayMs: number | 'answer'): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (!socket.destroyed) socket.resetAndDestroy();
      resolve();
    };
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      socket.write(request);
      if (delayMs === 'answer') {
        socket.once('data', finish);
        setTimeout(finish, 2000);
      } else if (delayMs === 0) {
        finish();
      } else {
        setTimeout(finish, delayMs);
      }
    });
  });
}

/** An HTTP/1.1 upgrade request for a WebSocket at `path`, with extra header lines. */
export function upgradeRequest(path: string, extra: string[] = [], upgrade = 'websocket'): string {
  return [
    `GET ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    `Upgrade: ${upgrade}`,
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...extra,
    '',
    '',
  ].join('\r\n');
}

/** One plain HTTP request (no keep-alive); the status and body of the answer. */
export function httpCall(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { Connection: 'close', ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path}: no answer within 15 s`)));
    req.on('error', reject);
    req.end(body);
  });
}
