import type { IncomingMessage, ServerResponse } from 'node:http';
import { lockHeader } from '../middleware/lock';

/** CORS settings after validation: `maxAge` is already in seconds. */
export interface AccessSettings {
  origins: string | string[];
  methods: string | string[];
  credentials: boolean;
  maxAge: number;
  headers: string | string[] | false;
  exposed: string | string[] | false;
}

// Primus joins arrays with ", " and splits on commas and spaces; we read both forms the same way.
const SEPARATOR = /[, ]+/;
// What `url.parse(origin).protocol` accepts as a scheme (Primus's "has a protocol" test).
const SCHEME = /^[a-z0-9.+-]+:/i;

function joined(value: string | string[] | false): string {
  if (value === false) return '';
  return Array.isArray(value) ? value.join(', ') : value;
}

function split(value: string): string[] {
  return value.split(SEPARATOR).filter(Boolean);
}

/** Add `Origin` to `Vary` without dropping what other code put there. */
function varyOrigin(res: ServerResponse): void {
  const current = res.getHeader('Vary');
  const value = Array.isArray(current) ? current.join(', ') : current === undefined ? '' : String(current);
  if (value === '') return void res.setHeader('Vary', 'Origin');
  const fields = value.toLowerCase().split(/\s*,\s*/);
  if (fields.includes('*') || fields.includes('origin')) return;
  res.setHeader('Vary', `${value}, Origin`);
}

function forbid(req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 403;
  res.setHeader('Content-Type', 'text/plain');
  res.end(`Invalid HTTP Access Control (CORS) request:\n  Origin: ${req.headers.origin}\n  Method: ${req.method}`);
}

/**
 * The CORS layer (Primus's `access-control`): a synchronous middleware
 * that returns true when it answered the request itself (a refusal or a
 * preflight) and false to let the request go on with its headers set.
 */
export function accessControl(settings: AccessSettings): (req: IncomingMessage, res: ServerResponse) => boolean {
  const anyOrigin = joined(settings.origins) === '*';
  const origins = split(joined(settings.origins).toLowerCase());
  const methods = split(joined(settings.methods).toUpperCase());
  const allowMethods = methods.join(', ');
  const allowHeaders = joined(settings.headers);
  const exposed = joined(settings.exposed);
  const { credentials, maxAge } = settings;

  return function cors(req, res) {
    const raw = req.headers.origin;
    // Browsers send Origin on every cross-origin request; without it CORS headers are dead weight.
    if (raw === undefined) return false;
    const origin = raw.toLowerCase().trim();
    if (
      origin.includes('%') ||
      (origin !== 'null' && !SCHEME.test(origin)) ||
      (!anyOrigin && !origins.includes(origin)) ||
      (methods.length > 0 && !methods.includes(req.method ?? ''))
    ) {
      forbid(req, res);
      return true;
    }
    // Browsers refuse `*` on credentialed requests, so echo the origin unless both allow `*`.
    if (!anyOrigin || credentials) {
      lockHeader(res, 'Access-Control-Allow-Origin', raw);
      varyOrigin(res);
    } else {
      lockHeader(res, 'Access-Control-Allow-Origin', '*');
    }
    // Without `credentials`, keep a transport's own `Allow-Credentials: true` (SockJS sends it) off too.
    lockHeader(res, 'Access-Control-Allow-Credentials', credentials ? 'true' : undefined);

    // An OPTIONS request is a preflight only when it names the method it asks about.
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (maxAge) lockHeader(res, 'Access-Control-Max-Age', String(maxAge));
      if (allowMethods) lockHeader(res, 'Access-Control-Allow-Methods', allowMethods);
      const requested = req.headers['access-control-request-headers'];
      if (allowHeaders) lockHeader(res, 'Access-Control-Allow-Headers', allowHeaders);
      else if (requested) lockHeader(res, 'Access-Control-Allow-Headers', requested);
      res.statusCode = 200;
      res.setHeader('Content-Length', 0);
      res.end('');
      return true;
    }
    if (exposed) lockHeader(res, 'Access-Control-Expose-Headers', exposed);
    return false;
  };
}
