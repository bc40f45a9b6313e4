import type { Kernel } from '../core/kernel';
import { requireOptional } from '../core/optional';

/** What tests use of a real Primus 8 client. */
export interface PrimusClient {
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
  write(data: unknown): boolean;
  end(): unknown;
}

type PrimusSocket = new (url: string, options?: Record<string, unknown>) => PrimusClient;
const sockets = new WeakMap<Kernel, PrimusSocket>();

/**
 * A real Primus 8 client for `kernel`: Primus's own `createSocket` with the
 * kernel's transformer, parser and pathname, so the plugin under test
 * meets the client a plain Primus user has (it knows none of our client
 * halves, which is the point: wire features must stay invisible to it).
 */
export function primusClientFor(kernel: Kernel, url: string, options: Record<string, unknown>): PrimusClient {
  let Socket = sockets.get(kernel);
  if (!Socket) {
    // A missing `primus` is ALLSPARK_DEPENDENCY with the install command, like every optional package.
    const Primus8 = requireOptional<{ createSocket(options: Record<string, unknown>): PrimusSocket }>(
      'primus',
      'primusClient() (the real Primus 8 client)',
    );
    Socket = Primus8.createSocket({
      transformer: kernel.transformer.name,
      parser: kernel.parser.name,
      pathname: kernel.options.pathname,
    });
    sockets.set(kernel, Socket);
  }
  return new Socket(url, { reconnect: { min: 50, max: 200 }, ...options });
}
