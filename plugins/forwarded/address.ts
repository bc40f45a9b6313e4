import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

const HEADERS = ['fastly-client-ip', 'x-forwarded-for', 'z-forwarded-for', 'forwarded', 'x-real-ip'] as const;

export interface ForwardedAddress {
  ip: string;
  port: number;
  secure: boolean;
}

/** `for=1.2.3.4:80` (RFC 7239) or `1.2.3.4[:port]`, first hop only. */
function firstHop(value: string): { ip: string; port?: number } | undefined {
  let hop = value.split(',')[0].trim();
  const forPart = /for="?\[?([^\]";]+)\]?(?::(\d+))?"?/i.exec(hop);
  if (forPart) return isIP(forPart[1]) ? { ip: forPart[1], port: forPart[2] ? Number(forPart[2]) : undefined } : undefined;
  if (isIP(hop)) return { ip: hop };
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(hop);
  if (m && isIP(m[1])) return { ip: m[1], port: Number(m[2]) };
  hop = hop.replace(/^\[|\]$/g, '');
  return isIP(hop) ? { ip: hop } : undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The client's address. Proxy headers are only believed when `trust` says
 * so: `true` trusts every peer (Primus's behaviour), a list trusts only
 * peers whose address is in it (spec §7.20), `false` never.
 */
export function forwardedFor(req: IncomingMessage, trust: boolean | readonly string[]): ForwardedAddress {
  const socket = req.socket;
  const own: ForwardedAddress = {
    ip: socket?.remoteAddress ?? '127.0.0.1',
    port: socket?.remotePort ?? 0,
    secure: Boolean((socket as { encrypted?: boolean } | undefined)?.encrypted),
  };
  const trusted = trust === true || (Array.isArray(trust) && trust.includes(own.ip));
  if (!trusted) return own;
  for (const name of HEADERS) {
    const value = header(req, name);
    if (!value) continue;
    const hop = firstHop(value);
    if (!hop) continue;
    const prefix = name === 'forwarded' ? 'x-forwarded' : name.replace(/-(for|ip|client-ip)$/, '');
    const port = hop.port ?? Number(header(req, `${prefix}-port`) ?? NaN);
    const proto = header(req, `${prefix}-proto`);
    return {
      ip: hop.ip,
      port: Number.isFinite(port) ? port : own.port,
      secure: proto === 'https' || proto === '1' || own.secure,
    };
  }
  return own;
}
