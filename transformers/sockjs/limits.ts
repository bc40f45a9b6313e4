import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The largest SockJS frame one message of `maxLength` bytes can become:
 * sockjs-client JSON-quotes every message and escapes control characters
 * as `\u00XX`, up to 6 bytes per input byte. Batches of small messages get
 * at least 64 KiB. Request bodies and WebSocket frames are cut off past
 * this; each message inside is then held to `maxLength` exactly.
 */
export function frameLimit(maxLength: number): number {
  return Math.max(6 * maxLength + 64, 64 * 1024);
}

/**
 * Watch the body of an `xhr_send` / `jsonp_send` request. sockjs buffers the
 * whole body before it looks at it and knows no limit (Primus let a 100 kB
 * `xhr_send` through with `maxLength: 100`, spec §7.23), so past `limit`
 * bytes we stop sockjs reading, answer 413 and call `refuse`. Returns false
 * when the request was refused at once (declared length too big).
 */
export function limitBody(req: IncomingMessage, res: ServerResponse, limit: number, refuse: (bytes: number) => void): boolean {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    reject(req, res, declared, refuse);
    return false;
  }
  let seen = 0;
  const count = (chunk: Buffer | string): void => {
    seen += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (seen <= limit) return;
    reject(req, res, seen, refuse);
  };
  req.on('data', count);
  return true;
}

function reject(req: IncomingMessage, res: ServerResponse, bytes: number, refuse: (bytes: number) => void): void {
  // sockjs's own `data`/`end` listeners go too, so it neither buffers more nor answers later.
  req.removeAllListeners('data');
  req.removeAllListeners('end');
  req.resume();
  refuse(bytes);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = 'Payload Too Large\n';
  res.writeHead(413, {
    'Content-Type': 'text/plain; charset=UTF-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body);
}
