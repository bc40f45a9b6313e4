import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createKernel, clientFor, type Kernel, type Client, type PluginDefinition, type Spark } from '../../index';
import { websockets } from '../../transformers/websockets';
import { heartbeat } from '../../plugins/heartbeat';
import { msgpackParser, binaryParser } from '../../plugins/binary-parser';
import { ejsonParser } from '../../plugins/ejson-parser';

/** The three codecs under test, by their Primus parser name. */
export const PARSER_PLUGINS: ReadonlyArray<[name: 'binary' | 'msgpack' | 'ejson', plugin: PluginDefinition]> = [
  ['binary', binaryParser],
  ['msgpack', msgpackParser],
  ['ejson', ejsonParser],
];

// The shared event helpers, under the names these tests use.
import { onceArgs as nextArgs, once as next } from '../helpers/net';
export { nextArgs, next };

/**
 * A websockets kernel on 127.0.0.1:0 with `parser`, echoing every message
 * back to its sender. Everything it opens is closed by {@link Env.close}.
 */
export interface Env {
  kernel: Kernel;
  port: number;
  url: string;
  /** Sparks in connection order. */
  sparks: Spark[];
  /** One of our Node clients, already open. */
  client(): Promise<Client>;
  /** A raw `ws` socket on the kernel's pathname, already open. */
  raw(): Promise<WebSocket>;
  /** Track something to close (Primus clients, …). */
  track(close: () => void): void;
  close(): Promise<void>;
}

export async function startEcho(parser: PluginDefinition, options: { pingInterval?: number } = {}): Promise<Env> {
  const kernel = createKernel().use(websockets).use(parser);
  if (options.pingInterval) kernel.use(heartbeat, { pingInterval: options.pingInterval });
  const sparks: Spark[] = [];
  kernel.on('connection', (spark: Spark) => {
    sparks.push(spark);
    spark.on('data', (data: unknown) => spark.write(data));
  });
  const server = await kernel.listen(0);
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const Socket = clientFor(kernel);
  const closers: Array<() => void> = [];
  return {
    kernel,
    port,
    url,
    sparks,
    async client() {
      const c = new Socket(url, { pingTimeout: false });
      closers.push(() => c.destroy());
      await next(c, 'open');
      return c;
    },
    async raw() {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/primus`);
      closers.push(() => ws.terminate());
      await next(ws, 'open');
      return ws;
    },
    track(close) {
      closers.push(close);
    },
    async close() {
      for (const close of closers.splice(0).reverse()) close();
      await kernel.close();
    },
  };
}

/** Send `value` from `client` and resolve with what the echo server sends back. */
export async function echo(client: Client, value: unknown): Promise<unknown> {
  const back = next(client, 'data');
  client.write(value);
  return back;
}

/** The bytes of a binary value, whatever its class, for comparisons. */
export function bytesOf(value: unknown): number[] {
  if (value instanceof ArrayBuffer) return [...new Uint8Array(value)];
  if (ArrayBuffer.isView(value)) return [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)];
  throw new Error(`not binary: ${Object.prototype.toString.call(value)}`);
}

/** Hex dump with spaces, as the spec writes frames. */
export function hex(bytes: Uint8Array | ArrayBuffer | Buffer): string {
  return Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
}
