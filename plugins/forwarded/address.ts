import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Proxy headers in the order Primus (forwarded-for) tries them, each with its port and protocol header. */
const PROXY_HEADERS = [
  { ip: 'fastly-client-ip', port: 'fastly-client-port', proto: 'fastly-ssl' },
  { ip: 'x-forwarded-for', port: 'x-forwarded-port', proto: 'x-forwarded-proto' },
  { ip: 'z-forwarded-for', port: 'z-forwarded-port', proto: 'z-forwarded-proto' },
  { ip: 'forwarded', port: 'forwarded-port', proto: 'forwarded-proto' },
  { ip: 'x-real-ip', port: 'x-real-port', proto: 'x-real-proto' },
] as const;

export interface ForwardedAddress {
  ip: string;
  port: number;
  secure: boolean;
}

interface Hop {
  ip: string;
  port?: number;
  proto?: string;
}

/** `1.2.3.4`, `1.2.3.4:80`, `::1` or `[::1]:80`. */
function plainHop(text: string): Hop | undefined {
  if (isIP(text)) return { ip: text };
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m || !isIP(m[1])) return undefined;
  return m[2] === undefined ? { ip: m[1] } : { ip: m[1], port: Number(m[2]) };
}

/** One comma-separated entry: a plain address, or RFC 7239 `for=…;proto=…` (Primus knows only the former). */
function parseHop(entry: string): Hop | undefined {
  const text = entry.trim();
  if (!/(^|;)\s*for=/i.test(text)) return plainHop(text);
  const params = new Map<string, string>();
  for (const pair of text.split(';')) {
    const at = pair.indexOf('=');
    if (at !== -1) params.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim().replace(/^"|"$/g, ''));
  }
  const hop = plainHop(params.get('for') ?? '');
  if (hop === undefined) return undefined;
  const proto = params.get('proto');
  return proto === undefined ? hop : { ...hop, proto: proto.toLowerCase() };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The peer's own address, with IPv4-mapped IPv6 (`::ffff:1.2.3.4`) written as IPv4. */
function peerOf(req: IncomingMessage): ForwardedAddress {
  const socket = req.socket;
  const ip = socket?.remoteAddress ?? '127.0.0.1';
  return {
    ip: ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip,
    port: socket?.remotePort ?? 0,
    secure: Boolean((socket as { encrypted?: boolean } | undefined)?.encrypted),
  };
}

/**
 * The client's address. Proxy headers are only believed when `trust` says
 * so: `true` trusts every peer (Primus's behaviour), a list trusts only
 * peers whose address is in it (spec §7.20), `false` never. As in Primus,
 * the first proxy header present decides; one invalid entry in it means
 * the list was forged, and the peer's own address is used.
 */
export function forwardedFor(req: IncomingMessage, trust: boolean | readonly string[]): ForwardedAddress {
  const own = peerOf(req);
  const trusted = trust === true || (Array.isArray(trust) && trust.includes(own.ip));
  if (!trusted) return own;
  for (const names of PROXY_HEADERS) {
    const value = header(req, names.ip);
    if (value === undefined) continue;
    const hops = value.split(',').map(parseHop);
    const first = hops[0];
    if (first === undefined || hops.some((hop) => hop === undefined)) return own;
    // The proxy's own port says nothing about the client's: 0 when no header tells it (as Primus).
    const port = first.port ?? Number(header(req, names.port)?.split(',')[0]);
    const proto = first.proto ?? header(req, names.proto);
    return {
      ip: first.ip,
      port: Number.isInteger(port) && port > 0 ? port : 0,
      secure: proto === 'https' || proto === '1',
    };
  }
  return own;
}
