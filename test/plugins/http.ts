import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import { Primus } from '../../index';
import type { PrimusOptions } from '../../facade/options';
import { httpServer, urlOf } from '../helpers/net';

/** A complete HTTP answer. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request on its own connection (no keep-alive, so nothing stays open). */
export function request(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url + path, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Headers of a reply whose names start with `access-control-` (to assert there are none, or exactly these). */
export function accessHeaders(reply: Reply): Record<string, unknown> {
  return Object.fromEntries(Object.entries(reply.headers).filter(([name]) => name.startsWith('access-control-')));
}

/**
 * Send a WebSocket upgrade request by hand and return every byte the
 * server answers until it closes the socket (for refused upgrades).
 */
export function rawUpgrade(url: string, path: string, headers: Record<string, string> = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(lines.join('\r\n') + '\r\n\r\n');
  });
}

/** A Primus facade on a fresh HTTP server at 127.0.0.1:0 (heartbeats off unless asked for). */
export async function startPrimus(options: PrimusOptions = {}): Promise<{ primus: Primus; server: Server; url: string }> {
  const server = await httpServer();
  const primus = new Primus(server, { pingInterval: false, ...options });
  return { primus, server, url: urlOf(server) };
}

/** Destroy a facade and its server. */
export function stopPrimus(primus: Primus | undefined): Promise<void> {
  if (!primus) return Promise.resolve();
  return new Promise((resolve) => primus.destroy(() => resolve()));
}
