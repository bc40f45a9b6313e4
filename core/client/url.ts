/**
 * Build the connect URL the way Primus 8 clients do (spec §1.2): scheme,
 * auth, host and query of the given URL, the server's pathname (the URL's own
 * path is ignored), and a `_primuscb` cache-buster last.
 */

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
let lastStamp = '';
let seed = 0;

/** `Date.now()` in base-64 digits, with `.<n>` when called twice in one millisecond (yeast). */
function cacheBuster(): string {
  let n = Date.now();
  let out = '';
  do {
    out = DIGITS[n % 64] + out;
    n = Math.floor(n / 64);
  } while (n > 0);
  if (out === lastStamp) return out + '.' + seed++;
  seed = 0;
  lastStamp = out;
  return out;
}

/** Parse a query string keeping the first of duplicate keys (querystringify's rule). */
export function parseQuery(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of query.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : decode(part.slice(eq + 1));
    if (key !== null && value !== null && !(key in out)) out[key] = value;
  }
  return out;
}

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

export interface ConnectUrlParts {
  /** `ws:` or `http:` before the `secure` rule adds its `s`. */
  protocol: string;
  pathname: string;
  /** Add the query (and cache-buster). */
  query: boolean;
  /** Parameters added to the query (after the user's, before the cache-buster). */
  extra?: Readonly<Record<string, string>>;
}

/** The URL to dial, from the user's URL and the transformer's needs. */
export function connectUrl(base: string, parts: ConnectUrlParts): string {
  const url = new URL(base);
  const query = parts.query ? queryOf(url.search, parts.extra) : '';
  if (url.protocol === 'ws+unix:') {
    // Node only: `ws+unix://<socket path>:<request path>`, the form `ws` dials (spec §1.2).
    return `ws+unix://${url.hostname ? '/' + url.hostname : ''}${url.pathname}:${parts.pathname}${query}`;
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const protocol = secure ? parts.protocol.replace(/:$/, 's:') : parts.protocol;
  const auth = url.username ? `${url.username}${url.password ? ':' + url.password : ''}@` : '';
  return `${protocol}//${auth}${url.host}${parts.pathname}${query}`;
}

/** The user's query (first of duplicate keys) plus the `_primuscb` cache-buster, serialised. */
function queryOf(search: string, extra?: Readonly<Record<string, string>>): string {
  const params = parseQuery(search);
  if (extra !== undefined) for (const key in extra) params[key] = extra[key];
  params._primuscb = cacheBuster();
  return (
    '?' +
    Object.keys(params)
      .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k])}`)
      .join('&')
  );
}

/** The default URL: the page's origin in browsers, `http://127.0.0.1` in Node. */
function defaultUrl(): string {
  const loc = (globalThis as { location?: { origin?: string; protocol?: string; host?: string } }).location;
  if (loc?.origin && loc.origin !== 'null') return loc.origin;
  if (loc?.host) return `${loc.protocol}//${loc.host}`;
  return 'http://127.0.0.1';
}

/**
 * The URL a client connects to: absolute URLs as given, relative ones
 * against the page (or `http://127.0.0.1`), missing ones defaulted. A URL
 * that cannot be parsed throws now, not later inside a timer.
 */
export function resolveUrl(url: string | undefined): string {
  const base = defaultUrl();
  if (url === undefined || url === '') return base;
  try {
    new URL(url);
    return url;
  } catch {
    // not absolute: resolve against the page below
  }
  try {
    return new URL(url, base).href;
  } catch (err) {
    // A plain Error with the stable code keeps the error table out of the browser bundle.
    const message = `Invalid URL "${url}": ${err instanceof Error ? err.message : String(err)}`;
    throw Object.assign(new Error(message), { code: 'ALLSPARK_OPTIONS' });
  }
}

/**
 * The client's URL in Primus's shape (the fields of url-parse, which Primus
 * clients expose as `client.url`): what plugins and transformers written for
 * Primus read (`primus.url.protocol`, `primus.url.query`, …). `query` is the
 * search string with its `?`, or `''`.
 */
export class ClientUrl {
  readonly protocol: string;
  readonly slashes = true;
  readonly auth: string;
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly query: string;
  readonly hash: string;
  readonly origin: string;

  constructor(readonly href: string) {
    const u = new URL(href);
    this.protocol = u.protocol;
    this.username = decodeURIComponent(u.username);
    this.password = decodeURIComponent(u.password);
    this.auth = this.username ? this.username + (this.password ? ':' + this.password : '') : '';
    this.host = u.host;
    this.hostname = u.hostname;
    this.port = u.port;
    this.pathname = u.pathname;
    this.query = u.search;
    this.hash = u.hash;
    this.origin = u.origin;
  }

  toString(): string {
    return this.href;
  }
}
