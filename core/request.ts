import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { ParsedUrlQuery } from 'node:querystring';
import type { KernelRequest } from './http';

/**
 * What a spark keeps of the HTTP request that opened it (`spark.request`).
 *
 * By default this is a light record, not the `IncomingMessage`: a request
 * object with its stream state, raw header list and header-name strings
 * costs about 1 KB per connection for as long as the connection lives,
 * which is a third of what `ws` itself needs per socket. The record has the
 * fields below and every property the kernel, middleware or authorization
 * added to the request (`user`, `session`, `cookies`, …).
 * The kernel option `keepRequest: true` keeps the request object itself.
 *
 * Declare the type of properties your middleware adds by augmentation:
 * `declare module 'allspark' { interface SparkRequest { user?: User } }`.
 */
export interface SparkRequest {
  method?: string | null;
  url?: string;
  httpVersion: string;
  headers: IncomingHttpHeaders;
  /** Parsed query string (duplicate keys become arrays). */
  query: ParsedUrlQuery;
  /** The TCP socket the request came on. */
  socket: Socket;
  /** Alias of `socket`, as on Node's request. */
  connection: Socket;
  [added: string]: unknown;
}

/**
 * Node's own per-request fields, learned from a blank request so a new
 * Node version's internals are never mistaken for properties middleware
 * added. `pathnameOnly` is the kernel's routing aid, not user data.
 */
const NODE_FIELDS: ReadonlySet<PropertyKey> = new Set<PropertyKey>([
  ...Reflect.ownKeys(new IncomingMessage(null as never)),
  '_eventsCount',
  'parser',
  'pathnameOnly',
]);

/** The light record `spark.request` holds (see {@link SparkRequest}). */
class RequestRecord {
  method: string | null | undefined;
  url: string | undefined;
  httpVersion: string;
  headers: IncomingHttpHeaders;
  query: ParsedUrlQuery;
  socket: Socket;

  constructor(req: KernelRequest) {
    this.method = req.method;
    this.url = req.url;
    // Node builds a fresh "1.1" string for every request.
    this.httpVersion = req.httpVersion === '1.1' ? '1.1' : req.httpVersion;
    this.headers = req.headers;
    this.query = req.query;
    this.socket = req.socket;
  }

  get connection(): Socket {
    return this.socket;
  }
}

/**
 * What `spark.request` should hold for `req`: `req` itself when asked to
 * keep it or when it is not a Node request (a transport's own request
 * object), else a {@link SparkRequest} record of it.
 *
 * `middlewareRan` says whether any HTTP middleware saw the request. Without
 * it only the kernel and the transport touched it, and they add plain
 * properties, so the enumerable keys (`Object.keys`, which V8 answers from a
 * per-shape cache) are all there is to copy; middleware may also add
 * symbols, accessors and non-enumerable properties, so then every own key
 * is looked at, which costs a few microseconds per connection.
 */
export function retainRequest(req: KernelRequest, keep: boolean, middlewareRan = true): SparkRequest {
  if (keep || !(req instanceof IncomingMessage)) return req as unknown as SparkRequest;
  const record = new RequestRecord(req) as unknown as Record<PropertyKey, unknown>;
  if (!middlewareRan) {
    for (const key of Object.keys(req)) if (!NODE_FIELDS.has(key) && key !== 'query') record[key] = (req as unknown as Record<string, unknown>)[key];
    return record as unknown as SparkRequest;
  }
  for (const key of Reflect.ownKeys(req)) {
    if (NODE_FIELDS.has(key) || key === 'query') continue;
    const d = Object.getOwnPropertyDescriptor(req, key)!;
    // Plain assignment keeps the record a fast-mode object; accessors and
    // non-enumerable properties keep their exact descriptor.
    if (d.writable && d.enumerable && d.configurable) record[key as string] = d.value;
    else Object.defineProperty(record, key, d);
  }
  return record as unknown as SparkRequest;
}
