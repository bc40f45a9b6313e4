/**
 * Wire compatibility with Primus 8, proven with the real `primus` package:
 * its client against our facade, and our client against its server.
 */
import type { Server } from 'node:http';
import { Primus } from '../index';
import type { Spark } from '../index';
import { httpServer, httpServerOn, portOf, urlOf, once, collect, delay, closeServer } from './helpers/net';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const RealPrimus = require('primus');

type AnyClient = {
  on(e: string, f: (...a: any[]) => void): unknown;
  once(e: string, f: (...a: any[]) => void): unknown;
  write(d: unknown): unknown;
  id(cb: (id: string) => void): unknown;
  end(): unknown;
  destroy(): unknown;
};

interface Side {
  name: string;
  /** Start a server of this side's kind with an echo app. */
  server(http: Server, options: Record<string, unknown>): any;
  /** A client of the other side's kind. */
  client(url: string, options: Record<string, unknown>): AnyClient;
  destroy(primus: any): Promise<void>;
}

const ourServerTheirClient: Side = {
  name: 'allspark server ↔ Primus 8 client',
  server: (http, options) => new Primus(http, options),
  client: (url, options) => new (RealPrimus.createSocket({ transformer: 'websockets' }))(url, options),
  destroy: (primus) => new Promise((r) => primus.destroy({ close: true }, () => r())),
};

const theirServerOurClient: Side = {
  name: 'Primus 8 server ↔ allspark client',
  server: (http, options) => new RealPrimus(http, options),
  client: (url, options) => new (Primus.createSocket({ transformer: 'websockets', pingInterval: 200 }))(url, options),
  destroy: (primus) => new Promise((r) => primus.destroy({ close: true }, () => r())),
};

function app(primus: any): void {
  primus.on('connection', (spark: Spark & { query: Record<string, unknown> }) => {
    spark.write({ welcome: spark.query.room ?? null });
    spark.on('data', (data: unknown) => {
      if (data === 'end please') return spark.end('bye');
      if (data === 'reconnect please') return spark.end('brb', { reconnect: true });
      spark.write(data);
    });
  });
}

describe.each([ourServerTheirClient, theirServerOurClient])('$name', (side) => {
  let http: Server;
  let primus: any;
  const clients: AnyClient[] = [];
  const client = (query = '', options: Record<string, unknown> = {}) => {
    const c = side.client(urlOf(http, query), { reconnect: { min: 50, max: 150 }, pingTimeout: 1000, ...options });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    http = await httpServer();
    primus = side.server(http, { pingInterval: 200 });
    app(primus);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await side.destroy(primus);
    await closeServer(http);
  });

  test('server push on connect, echo, query, id()', async () => {
    const c = client('?room=lobby');
    expect(await once(c, 'data')).toEqual({ welcome: 'lobby' });
    const got = collect(c, 'data', 3);
    c.write('hi');
    c.write({ nested: [1, { two: 2 }] });
    c.write('ünï 😀');
    expect(await got).toEqual(['hi', { nested: [1, { two: 2 }] }, 'ünï 😀']);
    const id = await new Promise<string>((r) => c.id(r));
    const sparkIds: string[] = [];
    primus.forEach((spark: Spark) => void sparkIds.push(spark.id));
    expect(sparkIds).toEqual([id]);
  });

  test('heartbeat over several short intervals keeps the connection', async () => {
    const c = client();
    await once(c, 'open');
    const pongs: number[] = [];
    primus.forEach((spark: any) => spark.on('incoming::pong', (t: number) => pongs.push(t)));
    await delay(900);
    expect(pongs.length).toBeGreaterThanOrEqual(3);
    expect(pongs.every((p) => p > 1e12)).toBe(true);
    const reconnects = jest.fn();
    c.on('reconnect scheduled', reconnects);
    c.write('still');
    expect(await once(c, 'data')).toBe('still');
    expect(reconnects).not.toHaveBeenCalled();
  });

  test('spark.end() ends the client; no reconnect', async () => {
    const c = client();
    await once(c, 'data');
    const scheduled = jest.fn();
    c.on('reconnect scheduled', scheduled);
    const ended = once(c, 'end');
    c.write('end please');
    expect(await once(c, 'data')).toBe('bye');
    await ended;
    await delay(200);
    expect(scheduled).not.toHaveBeenCalled();
  });

  test('spark.end(data, { reconnect: true }) makes the client reconnect', async () => {
    const c = client();
    await once(c, 'data');
    c.write('reconnect please');
    expect(await once(c, 'data')).toBe('brb');
    const got = collect(c, 'data', 2, 3000);
    await once(c, 'reconnected', 3000);
    c.write('back');
    expect(await got).toEqual([{ welcome: null }, 'back']);
  });

  test('server restart: the client reconnects and writes queued while down arrive', async () => {
    const c = client();
    await once(c, 'data');
    const port = portOf(http);
    const closed = once(c, 'close');
    await new Promise<void>((r) => primus.destroy({ reconnect: true }, () => r()));
    await closed;
    c.write('queued 1');
    c.write('queued 2');
    http = await httpServerOn(port);
    primus = side.server(http, { pingInterval: 200 });
    app(primus);
    const got = collect(c, 'data', 3, 5000);
    expect(await got).toEqual([{ welcome: null }, 'queued 1', 'queued 2']);
  });
});
