import type { OutgoingHttpHeader, ServerResponse } from 'node:http';

const LOCKED = Symbol('allspark locked headers');
const SET_HEADER = Symbol('allspark setHeader');
const REMOVE_HEADER = Symbol('allspark removeHeader');

type Lockable = ServerResponse & {
  [LOCKED]?: Set<string>;
  [SET_HEADER]?: ServerResponse['setHeader'];
  [REMOVE_HEADER]?: ServerResponse['removeHeader'];
};

/**
 * Set a response header that later `setHeader`/`removeHeader` calls cannot change, as
 * Primus does for the headers of its CORS, no-cache and xss layers.
 * Transports answer polling requests with their own CORS and cache headers
 * (SockJS echoes any `Origin` and allows credentials); without the lock
 * they would replace the policy the server was configured with. A value
 * of `undefined` keeps the header off the response.
 */
export function lockHeader(res: ServerResponse, name: string, value: OutgoingHttpHeader | undefined): void {
  const r = res as Lockable;
  let locked = r[LOCKED];
  if (locked === undefined) {
    locked = r[LOCKED] = new Set();
    r[SET_HEADER] = r.setHeader;
    r[REMOVE_HEADER] = r.removeHeader;
    r.setHeader = setUnlockedHeader;
    r.removeHeader = removeUnlockedHeader;
  }
  // `undefined` locks the header out: nobody may set it later.
  if (value !== undefined) r[SET_HEADER]!.call(r, name, value);
  locked.add(name.toLowerCase());
}

/** `res.removeHeader` once a header is locked: locked names stay. */
function removeUnlockedHeader(this: Lockable, name: string): void {
  if (!this[LOCKED]!.has(name.toLowerCase())) this[REMOVE_HEADER]!.call(this, name);
}

/** `res.setHeader` once a header is locked: locked names are left as they are. */
function setUnlockedHeader(this: Lockable, name: string, value: OutgoingHttpHeader): ServerResponse {
  if (this[LOCKED]!.has(name.toLowerCase())) return this;
  return this[SET_HEADER]!.call(this, name, value);
}
