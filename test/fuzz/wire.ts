import { connect, type Socket } from 'node:net';
import type { ChildServer } from '../helpers/child-server';
import { healthyClient, roundTrip, type ProbeClient } from '../helpers/probe';
import { delay } from '../helpers/net';

/** How a raw exchange ends: read the answer, or reset / half-close at some point. */
export type Ending = 'answer' | 'reset-after-send' | 'reset-mid' | 'half-close' | 'silent';

/**
 * Send `data` on a fresh TCP connection and end as `ending` says. Whatever
 * the server answers within `waitMs` is returned (an HTTP answer, WebSocket
 * frames). The connection is reset (RST) at the end unless it closed.
 */
export function exchange(port: number, data: Buffer, ending: Ending, waitMs = 300): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!socket.destroyed) socket.resetAndDestroy();
      resolve(Buffer.concat(chunks));
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      if (ending === 'reset-mid') {
        socket.write(data.subarray(0, Math.floor(data.length / 2)));
        setImmediate(finish);
        return;
      }
      socket.write(data);
      if (ending === 'reset-after-send') return void setImmediate(finish);
      if (ending === 'half-close') socket.end();
      timer = setTimeout(finish, waitMs);
    });
  });
}

/** The bytes of an HTTP/1.1 request. A Content-Length matching the body is added unless given. */
export function httpRequest(method: string, path: string, headers: Array<[string, string]>, body: Buffer): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  const named = new Set(headers.map(([name]) => name.toLowerCase()));
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  if (!named.has('content-length') && !named.has('transfer-encoding') && body.length > 0) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

/**
 * A healthy client doing round trips for as long as a fuzz test runs: the
 * server must keep serving it whatever the fuzzer does meanwhile.
 */
export class Prober {
  trips = 0;
  failure: Error | undefined;
  #running = true;
  #loop: Promise<void> | undefined;
  #client: ProbeClient | undefined;

  static async start(child: ChildServer, transformer: string, parser: string): Promise<Prober> {
    const prober = new Prober();
    prober.#client = await healthyClient(child.url, transformer, parser);
    prober.#loop = prober.#run();
    return prober;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        await roundTrip(this.#client!, 20_000);
        this.trips++;
      } catch (err) {
        this.failure ??= err as Error;
      }
      await delay(20);
    }
  }

  /** Stop without checking anything (cleanup after a failed test). */
  async halt(): Promise<void> {
    this.#running = false;
    await this.#loop;
    this.#client?.destroy();
  }

  /** Stop, after one last round trip; the number of round trips done. */
  async stop(): Promise<number> {
    this.#running = false;
    await this.#loop;
    try {
      await roundTrip(this.#client!, 20_000);
      this.trips++;
    } finally {
      this.#client!.destroy();
    }
    if (this.failure) throw this.failure;
    return this.trips;
  }
}
