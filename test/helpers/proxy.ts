import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** One client connection through the proxy and its upstream twin. */
interface Pair {
  client: Socket;
  upstream: Socket;
  /** Stalled: a close on one side is not passed on until the stall ends (a silent network). */
  stalled?: boolean;
  closing?: boolean;
}

/**
 * A TCP proxy for network faults between a client and a server on
 * 127.0.0.1: `cut()` drops every connection at once, `blip(ms)` cuts and
 * refuses new connections for `ms`, `stall(ms)` stops forwarding on the
 * open connections (both ways) for `ms` without closing them, `latency` delays every chunk.
 * `retarget(port)` sends new connections to another server (a drained
 * node's clients land on the next one).
 */
export class FaultProxy {
  readonly #pairs = new Set<Pair>();
  readonly #server: Server;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #refuseUntil = 0;
  /** ms added to every chunk in both directions. */
  latency = 0;
  /** Connections accepted so far. */
  accepted = 0;

  constructor(public target: number) {
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Listen on 127.0.0.1 at an ephemeral port; resolves with it. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Open connections right now. */
  get size(): number {
    return this.#pairs.size;
  }

  retarget(port: number): void {
    this.target = port;
  }

  /** Drop every connection (both ends see a reset). */
  cut(): void {
    for (const pair of this.#pairs) this.#drop(pair);
  }

  /** Cut, and refuse new connections for `ms`. */
  blip(ms: number): void {
    this.#refuseUntil = Date.now() + ms;
    this.cut();
  }

  /** Accept connections again now (ends a `blip`, `blip(Infinity)` included). */
  restore(): void {
    this.#refuseUntil = 0;
  }

  /** Forward nothing on the open connections for `ms` (bytes wait), then carry on; new connections flow. */
  stall(ms: number): void {
    const stalled = [...this.#pairs];
    for (const pair of stalled) {
      pair.stalled = true;
      pair.client.pause();
      pair.upstream.pause();
    }
    this.#later(ms, () => {
      for (const pair of stalled) {
        pair.stalled = false;
        if (pair.closing) this.#drop(pair);
        else {
          pair.client.resume();
          pair.upstream.resume();
        }
      }
    });
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (Date.now() < this.#refuseUntil) {
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = connect(this.target, '127.0.0.1');
    const pair: Pair = { client, upstream };
    this.#pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.#pipe(client, upstream);
    this.#pipe(upstream, client);
    const drop = (): void => {
      if (pair.stalled) pair.closing = true;
      else this.#drop(pair);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
  }

  #pipe(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (this.latency === 0) to.write(chunk);
      else this.#later(this.latency, () => to.writable && to.write(chunk));
    });
  }

  #drop(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    pair.client.resetAndDestroy();
    pair.upstream.resetAndDestroy();
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }
}
