import type { SocketClass } from '../core/client/factory';
import { AllsparkError, ErrorCodes, describe } from '../core/errors';
import type { PrimusOptions } from './options';
import type { ServerSpec } from '../plugins/spec';
import { routeUnder } from '../core/http';
import { socketFor } from './statics';

/** Options of {@link discoverSocket}: client-class options, plus how long to wait for the answer. */
export interface DiscoverOptions extends PrimusOptions {
  /** ms to wait for `<pathname>/spec`. Default 10000. */
  discoverTimeout?: number;
}

/**
 * A client class for the server at `url`, configured from what the server
 * says about itself at `<pathname>/spec`: transformer, parser, pathname and
 * ping interval (so the client's ping timeout matches). Works against a
 * Primus 8 server and an allspark one. Options given here win over the
 * server's answer; `pathname` says where to ask (default `/primus`).
 */
export async function discoverSocket(url: string, options: DiscoverOptions = {}): Promise<SocketClass> {
  const { discoverTimeout = 10_000, ...socketOptions } = options;
  const where = specUrl(url, socketOptions.pathname ?? '/primus');
  const spec = await fetchSpec(where, discoverTimeout);
  return socketFor({
    transformer: spec.transformer,
    parser: spec.parser,
    pathname: spec.pathname,
    pingInterval: spec.pingInterval,
    ...socketOptions,
  });
}

function specUrl(url: string, pathname: string): URL {
  try {
    const base = new URL(url);
    // Primus clients dial ws:, the spec route is plain HTTP on the same host.
    base.protocol = base.protocol === 'wss:' || base.protocol === 'https:' ? 'https:' : 'http:';
    return new URL(routeUnder(pathname, 'spec'), base);
  } catch (err) {
    throw new AllsparkError(ErrorCodes.OPTIONS, `Primus.discover: invalid URL "${url}" (${describe(err)})`);
  }
}

/**
 * The server answered, but not with a spec: most likely an allspark kernel
 * without the `spec` plugin (its transformer answers 426 to plain GETs).
 */
const NO_SPEC_HINT =
  '. An allspark kernel serves its spec only with the spec plugin: add `kernel.use(spec)` ' +
  "(import { spec } from 'allspark'), or build the client from the kernel itself with `clientFor(kernel)`";

async function fetchSpec(where: URL, timeout: number): Promise<ServerSpec> {
  let body: unknown;
  let status = 0;
  try {
    const res = await fetch(where, { signal: AbortSignal.timeout(timeout), headers: { accept: 'application/json' } });
    status = res.status;
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    const message = `Primus.discover: no server spec at ${where.href} (${describe(err)})${status === 426 ? NO_SPEC_HINT : ''}`;
    throw new AllsparkError(ErrorCodes.TRANSPORT, message, { cause: err });
  }
  const spec = body as Partial<ServerSpec> | null;
  if (
    !spec ||
    typeof spec.transformer !== 'string' ||
    typeof spec.parser !== 'string' ||
    typeof spec.pathname !== 'string' ||
    !(typeof spec.pingInterval === 'number' || spec.pingInterval === false)
  ) {
    throw new AllsparkError(ErrorCodes.TRANSPORT, `Primus.discover: ${where.href} did not answer with a Primus server spec`);
  }
  return spec as ServerSpec;
}
