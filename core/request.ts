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

/** Marks a request that code the kernel's plugins cannot vouch for has seen (see {@link exposeRequest}). */
const EXPOSED = Symbol('allspark exposed request');
/** Properties a plugin put off defining until the request is exposed (see {@link deferRequestProperty}). */
const DEFERRED = Symbol('allspark deferred request properties');

/**
 * The request's own keys that are not properties middleware added: Node's
 * per-request fields, learned from a blank request so a new Node version's
 * internals are never mistaken for added ones, and the kernel's own
 * (`pathnameOnly`, its routing aid; `query`, which the record has anyway;
 * its marks).
 */
const NOT_ADDED: ReadonlySet<PropertyKey> = new Set<PropertyKey>([
  ...Reflect.ownKeys(new IncomingMessage(null as never)),
  '_eventsCount',
  'parser',
  'pathnameOnly',
  'query',
  EXPOSED,
  DEFERRED,
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

/** The keys of `keys` that middleware or plugins added (see {@link NOT_ADDED}). */
function addedKeys(keys: readonly PropertyKey[]): PropertyKey[] {
  return keys.filter((key) => !NOT_ADDED.has(key));
}

/** The last `Object.keys` of a request seen, and what {@link addedKeys} made of it. */
let lastKeys: readonly string[] = [];
let lastAdded: PropertyKey[] = [];

/**
 * {@link addedKeys} of a request's `Object.keys`. Requests of one server
 * come with the same keys in the same order, so the last answer is reused
 * when the list is the same (string compares instead of set lookups).
 */
function addedEnumerableKeys(keys: readonly string[]): PropertyKey[] {
  if (keys.length === lastKeys.length) {
    let i = 0;
    while (i < keys.length && keys[i] === lastKeys[i]) i++;
    if (i === keys.length) return lastAdded;
  }
  lastAdded = addedKeys(keys);
  lastKeys = keys;
  return lastAdded;
}


type Marked = { [EXPOSED]?: boolean; [DEFERRED]?: Array<[string, PropertyDescriptor]> };

/**
 * Note that `req` is about to reach code no plugin vouches for (Primus-style
 * middleware a user added, an authorizer, a transport's user callback): such
 * code may read anything and add symbols, accessors or non-enumerable
 * properties, so properties put off with {@link deferRequestProperty} are
 * defined now, and `spark.request` will look at every own key of the request.
 * The kernel calls it itself before request hooks not registered with
 * `plainRequest: true`.
 */
export function exposeRequest(req: object): void {
  const r = req as Marked;
  if (r[EXPOSED] === true) return;
  r[EXPOSED] = true;
  const deferred = r[DEFERRED];
  if (deferred === undefined) return;
  r[DEFERRED] = undefined;
  for (const [name, descriptor] of deferred) Object.defineProperty(req, name, descriptor);
}

/**
 * Give the request an accessor (or any property) that only other code could
 * observe: it is defined on the request when the request is exposed
 * ({@link exposeRequest}), else only on the `spark.request` record, with
 * the same descriptor. Defining an accessor on an `IncomingMessage` costs
 * about a microsecond per request; most requests are never exposed.
 */
export function deferRequestProperty(req: object, name: string, descriptor: PropertyDescriptor): void {
  const r = req as Marked;
  if (r[EXPOSED] === true) Object.defineProperty(req, name, descriptor);
  else (r[DEFERRED] ??= []).push([name, descriptor]);
}

/**
 * What `spark.request` should hold for `req`: `req` itself when asked to
 * keep it or when it is not a Node request (a transport's own request
 * object), else a {@link SparkRequest} record of it.
 *
 * Until the request was exposed ({@link exposeRequest}) only the kernel,
 * the transport and plugins' own code saw it, and they add enumerable
 * string-keyed properties: the enumerable keys (`Object.keys`, which V8
 * answers from a per-shape cache) are all there is to copy, with the
 * deferred properties. An exposed request has every own key looked at
 * (`Reflect.ownKeys` of a request is about 30 keys with Node's symbols,
 * several microseconds per connection).
 */
export function retainRequest(req: KernelRequest, keep: boolean): SparkRequest {
  if (keep || !(req instanceof IncomingMessage)) {
    // The spark keeps this object itself, so code reads it: what was put off goes on it now.
    if ((req as unknown as Marked)[DEFERRED] !== undefined) exposeRequest(req);
    return req as unknown as SparkRequest;
  }
  const record = new RequestRecord(req) as unknown as Record<PropertyKey, unknown>;
  const marked = req as unknown as Marked;
  const keys = marked[EXPOSED] === true ? addedKeys(Reflect.ownKeys(req)) : addedEnumerableKeys(Object.keys(req));
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const d = Object.getOwnPropertyDescriptor(req, key)!;
    // Plain assignment keeps the record a fast-mode object; accessors and
    // non-enumerable properties keep their exact descriptor.
    if (d.writable && d.enumerable && d.configurable) record[key as string] = d.value;
    else Object.defineProperty(record, key, d);
  }
  const deferred = marked[DEFERRED];
  if (deferred !== undefined) for (const [name, descriptor] of deferred) Object.defineProperty(record, name, descriptor);
  return record as unknown as SparkRequest;
}
