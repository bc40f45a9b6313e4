import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ParsedUrlQuery } from 'node:querystring';
import { STATUS_CODES } from 'node:http';
import type { Next } from './hooks';
import { describe } from './errors';
import { parseQuery } from './query';

/** Fields the kernel adds to every request it owns. */
export interface KernelRequest extends IncomingMessage {
  /** Parsed query string (duplicate keys become arrays). */
  query: ParsedUrlQuery;
  /** Path part of the URL. */
  pathnameOnly: string;
}

type Listener = (...args: any[]) => void;

/** The request path without its query string. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * True when `path` is the pathname itself or below it. Primus tests a bare
 * prefix, so `/primusfoo` was captured too (spec §7.7); we do not.
 */
function underPathname(path: string, pathname: string): boolean {
  if (!path.startsWith(pathname)) return false;
  return path.length === pathname.length || path.charCodeAt(pathname.length) === 47 /* / */ || pathname.endsWith('/');
}

/** Exact request paths outside the pathname that the kernel serves too (see `ServerContext.claimPath`). */
export interface ClaimedPaths {
  has(path: string): boolean;
}

/** The path of route `name` under `pathname` (`/primus` + `spec` → `/primus/spec`; a trailing `/` is not doubled). */
export function routeUnder(pathname: string, name: string): string {
  return pathname.replace(/\/$/, '') + '/' + name;
}

/**
 * Node's HTTP server takes its own `error` listener off a socket when it
 * hands it to `upgrade` listeners. A client that resets the connection
 * while we refuse the upgrade (or while a transport answers it, or after)
 * would then raise an unhandled `error` (ECONNRESET) and kill the process.
 * Every upgrade socket the kernel takes gets this listener for its whole
 * life; what failed is seen by whoever uses the socket (`close`, transport
 * events), so the error itself needs no handling here.
 */
export function ignoreSocketError(): void {}

/** Give an upgrade socket the {@link ignoreSocketError} listener (`upgrade` fires once per socket). */
function guardSocket(socket: Duplex): void {
  socket.on('error', ignoreSocketError);
}

/** Decorate a request the kernel owns with `query` and `pathnameOnly`. */
function prepareRequest(req: IncomingMessage, path: string): KernelRequest {
  const r = req as KernelRequest;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  r.pathnameOnly = path;
  r.query = parseQuery(q === -1 ? '' : url.slice(q + 1));
  return r;
}

/**
 * Extra response headers an error asks for when it fails a request, as a
 * `{ name: value }` record under this symbol (the authorization plugin puts
 * `WWW-Authenticate` there). A symbol, so no error that merely has a
 * `headers` field (an HTTP client's) sends its headers by accident.
 */
export const RESPONSE_HEADERS = Symbol('allspark response headers');

/** Status, JSON body and extra headers of the answer to a failed request. */
function errorReply(err: unknown, status: number): { code: number; body: string; extra: Array<[string, string]> } {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  const code = typeof s === 'number' && s >= 400 && s < 600 ? s : status;
  const asked = (err as { [RESPONSE_HEADERS]?: Record<string, unknown> } | null)?.[RESPONSE_HEADERS];
  const extra: Array<[string, string]> = [];
  // Values with line breaks are dropped: the upgrade answer is written as raw text.
  if (asked) for (const [name, value] of Object.entries(asked)) if (typeof value === 'string' && !/[\r\n]/.test(value)) extra.push([name, value]);
  return { code, body: JSON.stringify({ error: describe(err) }), extra };
}

/**
 * Answer a failed request: `err.statusCode` (default `status`) with
 * `{"error": message}` as JSON, the body Primus 8 clients expect (spec §2.6).
 */
export function respondError(res: ServerResponse, err: unknown, status = 500): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const { code, body, extra } = errorReply(err, status);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  };
  for (const [name, value] of extra) headers[name] = value;
  res.writeHead(code, headers);
  res.end(body);
}

/** Answer a plain HTTP request where only a WebSocket upgrade is served: 426 Upgrade Required. */
export function upgradeRequired(res: ServerResponse): void {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('Upgrade Required');
}

/** The same answer on a raw upgrade socket, then close it. */
export function rejectUpgrade(socket: Duplex, err: unknown, status = 500): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { code, body, extra } = errorReply(err, status);
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\n` +
      'Connection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      extra.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
      `\r\n${body}`,
  );
}

/**
 * Take over `server`'s `request` and `upgrade` events: requests under the
 * pathname (or, requests only, for a `claimed` path) go to `ours`, every
 * other one to the listeners that were there before (in order, with their
 * `this`). With no previous listener a foreign request gets a 404 and a
 * foreign upgrade is closed, instead of hanging (spec §7.8). Returns a
 * function that restores the original listeners.
 */
export function takeOver(
  server: Server,
  pathname: string,
  onRequest: (req: KernelRequest, res: ServerResponse) => void,
  onUpgrade: (req: KernelRequest, socket: Duplex, head: Buffer) => void,
  claimed: ClaimedPaths,
): () => void {
  const previousRequest = server.listeners('request') as Listener[];
  const previousUpgrade = server.listeners('upgrade') as Listener[];
  server.removeAllListeners('request');
  server.removeAllListeners('upgrade');

  function request(this: Server, req: IncomingMessage, res: ServerResponse) {
    const path = pathOf(req.url);
    if (underPathname(path, pathname) || claimed.has(path)) return onRequest(prepareRequest(req, path), res);
    if (previousRequest.length === 0) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    for (const fn of previousRequest) fn.call(this, req, res);
  }
  function upgrade(this: Server, req: IncomingMessage, socket: Duplex, head: Buffer) {
    const path = pathOf(req.url);
    if (underPathname(path, pathname)) {
      guardSocket(socket);
      return onUpgrade(prepareRequest(req, path), socket, head);
    }
    if (previousUpgrade.length === 0) {
      guardSocket(socket);
      return rejectUpgrade(socket, 'Not Found', 404);
    }
    for (const fn of previousUpgrade) fn.call(this, req, socket, head);
  }
  server.on('request', request);
  server.on('upgrade', upgrade);

  return () => {
    server.removeListener('request', request);
    server.removeListener('upgrade', upgrade);
    for (const fn of previousRequest) server.on('request', fn);
    for (const fn of previousUpgrade) server.on('upgrade', fn);
  };
}

/** Run `(…args, next)` middleware in order; `done(err?)` after the last or on the first error. */
export function runMiddleware<A extends unknown[]>(
  layers: readonly ((...args: [...A, Next]) => void)[] | null,
  args: A,
  done: Next,
): void {
  if (layers === null) return done();
  let i = 0;
  const next: Next = (err?: unknown) => {
    if (err !== undefined && err !== null) return done(err);
    if (i >= layers.length) return done();
    const layer = layers[i++];
    try {
      layer(...args, next);
    } catch (e) {
      done(e);
    }
  };
  next();
}
