import { closeSync, openSync } from 'node:fs';
import { devNull } from 'node:os';
import type { Server } from 'node:http';
import { AllsparkError, ErrorCodes } from './errors';
import { RESPONSE_HEADERS } from './http';

/** What the overload guards report to: the kernel's `log` and `emit`. */
interface Reporter {
  log(level: string, ...args: unknown[]): void;
  emit(event: string, ...args: unknown[]): boolean;
}

/** Seconds a refused client is asked to wait (`Retry-After`). */
const RETRY_AFTER_S = 5;

/** The 503 a new connection gets while `maxConnections` sparks are open. */
export function tooManyConnections(max: number): AllsparkError {
  const err = new AllsparkError(
    ErrorCodes.MAX_CONNECTIONS,
    `Too many connections: maxConnections (${max}) are open; try again later`,
    { statusCode: 503 },
  );
  (err as { [RESPONSE_HEADERS]?: Record<string, string> })[RESPONSE_HEADERS] = { 'Retry-After': String(RETRY_AFTER_S) };
  return err;
}

const OUT_OF_FDS = new Set(['EMFILE', 'ENFILE']);

/**
 * Watches a server for running out of file descriptors. Past the limit,
 * libuv accepts and at once closes new connections to keep its listen
 * queue moving, and tells nobody: the server looks healthy while every new
 * client is cut off. So besides the rare `error` it does emit (EMFILE from
 * `accept` when that trick fails too), a timer tries to open one descriptor
 * every `interval` ms; failing is reported once (`log('error')` and an
 * `overload` event, ALLSPARK_OVERLOAD), recovering once (`log('info')`).
 */
export class DescriptorWatch {
  #timer: ReturnType<typeof setInterval> | undefined;
  #server: Server | undefined;
  #short = false;

  constructor(
    readonly reporter: Reporter,
    readonly interval: number,
  ) {}

  start(server: Server): void {
    this.#server = server;
    server.on('error', this.#onServerError);
    if (this.interval > 0) {
      this.#timer = setInterval(this.#probe, this.interval);
      this.#timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#server?.removeListener('error', this.#onServerError);
    this.#server = undefined;
  }

  #onServerError = (err: NodeJS.ErrnoException): void => {
    if (OUT_OF_FDS.has(err.code ?? '')) {
      this.#report(err);
      return;
    }
    // Any other server error is the application's: as loud as it would be without us.
    if (this.#server !== undefined && this.#server.listenerCount('error') === 1) throw err;
  };

  #probe = (): void => {
    let fd: number;
    try {
      fd = openSync(devNull, 'r');
    } catch (err) {
      if (OUT_OF_FDS.has((err as NodeJS.ErrnoException).code ?? '')) this.#report(err as NodeJS.ErrnoException);
      return;
    }
    closeSync(fd);
    if (!this.#short) return;
    this.#short = false;
    this.reporter.log('info', 'File descriptors are available again: new connections are accepted');
  };

  #report(cause: NodeJS.ErrnoException): void {
    if (this.#short) return;
    this.#short = true;
    const err = new AllsparkError(
      ErrorCodes.OVERLOAD,
      `Out of file descriptors (${cause.code}): new connections are accepted and dropped by the OS layer until ` +
        'some close. Raise the limit (ulimit -n) or set maxConnections below it',
      { cause },
    );
    this.reporter.log('error', err);
    this.reporter.emit('overload', err);
  }
}

/** The kernel options the server guard reads. */
export interface GuardOptions {
  handshakeTimeout: number;
  fdCheckInterval: number;
}

/**
 * Guard the server a kernel attaches to: at most `handshakeTimeout` ms for
 * a connection to deliver its request head (Node closes slower ones with a
 * 408 on its `connectionsCheckingInterval`), and the descriptor watch.
 * Returns what undoes both.
 */
export function guardServer(server: Server, options: GuardOptions, reporter: Reporter): () => void {
  const previous = server.headersTimeout;
  const timeout = options.handshakeTimeout;
  if (previous === 0 || previous > timeout) server.headersTimeout = timeout;
  const watch = new DescriptorWatch(reporter, options.fdCheckInterval);
  watch.start(server);
  return () => {
    watch.stop();
    if (server.headersTimeout === timeout) server.headersTimeout = previous;
  };
}
