import type { ServerResponse } from 'node:http';
import type { KernelRequest } from '../../core/http';
import type { ClientLibrary } from './library';

/**
 * Browsers may keep the file but must ask before each use; the ETag makes
 * that a cheap 304 until a redeploy or a plugin change alters the content.
 */
const CACHE_CONTROL = 'public, max-age=0, must-revalidate';

/** Does an `If-None-Match` header list `etag` (weak comparison, as RFC 9110 asks for GET)? */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * The `primus.js` layer: `GET|HEAD <pathname>/primus.js` (or the `alias`
 * path) answers with the library; anything else passes on. Synchronous
 * (arity 2): a truthy return means handled.
 */
export function libraryRoute(route: string, library: ClientLibrary, alias?: string) {
  const serve = (req: KernelRequest, res: ServerResponse): boolean => {
    const path = req.pathnameOnly;
    if ((path !== route && path !== alias) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const { body, etag } = library.entity();
    if (matchesEtag(req.headers['if-none-match'], etag)) {
      res.writeHead(304, { ETag: etag, 'Cache-Control': CACHE_CONTROL });
      res.end();
      return true;
    }
    res.writeHead(200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Content-Length': body.length,
      ETag: etag,
      'Cache-Control': CACHE_CONTROL,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
  return Object.assign(serve, { upgrade: false });
}
