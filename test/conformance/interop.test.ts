/**
 * Our client against a real Primus 8 server (`new (require('primus'))(server,
 * { transformer })`), one transformer option apart: connect, messages,
 * ids, heartbeats, ends with and without reconnect, broadcast, auth
 * rejection, fallbacks and destroy.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Primus } from '../../index';
import { CAPABILITIES, TRANSFORMERS, type TransformerName } from './capabilities';
import { FAST_RECONNECT, next, take } from './harness';

const RealPrimus = require('primus');

interface Remote {
  primus: any;
  server: Server;
  url: string;
  clients: any[];
  /** engine.io transports the remote server made (see `remote`). */
  transports: Array<{ shouldClose?: (() => void) | null }>;
}

async function remote(transformer: TransformerName, options: Record<string, unknown> = {}): Promise<Remote> {
  const server = createServer();
  const primus = new RealPrimus(server, { transformer, pingInterval: false, ...options });
  const transports: Remote['transports'] = [];
  if (transformer === 'engine.io') {
    // Primus 8's engine.io server leaves a 30 s timer per polling transport closed between two polls
    // (our server clears it itself); record them so the test can run those closes and leave nothing behind.
    const engine = primus.transformer.service;
    const create = engine.createTransport.bind(engine);
    engine.createTransport = (name: string, req: unknown) => {
      const t = create(name, req);
      transports.push(t);
      return t;
    };
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { primus, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clients: [], transports };
}

async function shutdown(r: Remote): Promise<void> {
  await new Promise<void>((resolve) => r.primus.destroy({ timeout: 0 }, () => resolve()));
  for (const t of r.transports) if (typeof t.shouldClose === 'function') t.shouldClose();
}

/** Our client class for a remote server of this transformer (`Primus.createSocket`). */
function client(r: Remote, transformer: TransformerName, options: Record<string, unknown> = {}, query = '', extra = {}): any {
  const Socket = Primus.createSocket({ transformer, ...extra } as any);
  const c = new Socket(r.url + query, { reconnect: FAST_RECONNECT, ...options });
  r.clients.push(c);
  return c;
}

const UNICODE = 'ünïcödé ✓ 😀 \u2028';

describe.each(TRANSFORMERS)('our client ↔ Primus 8 server: %s', (transformer: TransformerName) => {
  const caps = CAPABILITIES[transformer];
  let r: Remote | undefined;

  afterEach(async () => {
    if (!r) return;
    for (const c of r.clients) c.destroy();
    await shutdown(r);
    r = undefined;
  });

  it('connects, echoes, receives a server push, and id() matches spark.id', async () => {
    r = await remote(transformer);
    const sparks = next(r.primus, 'connection');
    r.primus.on('connection', (spark: any) => {
      spark.write({ hello: spark.id });
      spark.on('data', (d: unknown) => spark.write(d));
    });
    const c = client(r, transformer, {}, '?room=lobby');
    const spark = await sparks;
    expect(await next(c, 'data')).toEqual({ hello: spark.id });
    expect(spark.query.room).toBe('lobby');
    const values = ['hi', { deep: { list: [1, 'two', null] } }, UNICODE, 'w'.repeat(200_000)];
    const echoed = take(c, 'data', values.length);
    for (const v of values) c.write(v);
    expect(await echoed).toEqual(values);
    expect(await new Promise((resolve) => c.id(resolve))).toBe(spark.id);
  });

  it('sends the custom headers the transport options ask for', async () => {
    r = await remote(transformer);
    const sparks = next(r.primus, 'connection');
    client(r, transformer, { transport: caps.headerOption!('x-interop', transformer) });
    expect((await sparks).headers['x-interop']).toBe(transformer);
  });

  it('answers the Primus 8 heartbeat over several intervals', async () => {
    r = await remote(transformer, { pingInterval: 120 });
    const sparks = next(r.primus, 'connection');
    const c = client(r, transformer);
    const spark = await sparks;
    const closes: unknown[] = [];
    c.on('close', () => closes.push(1));
    await Promise.all([take(spark, 'heartbeat', 4, 5000), take(c, 'incoming::ping', 4, 5000)]);
    expect(closes).toEqual([]);
    expect(c.readyState).toBe(3);
  });

  it('spark.end() ends our client for good; { reconnect: true } brings it back', async () => {
    r = await remote(transformer);
    const first = next(r.primus, 'connection');
    const c = client(r, transformer);
    const spark = await first;
    const again = next(r.primus, 'connection');
    const reconnected = next(c, 'reconnected');
    spark.end(undefined, { reconnect: true });
    await reconnected;
    const second = await again;
    const ended = next(c, 'end');
    second.end();
    await ended;
    expect(c.readyState).toBe(2);
    expect(c.recovery.reconnecting).toBe(false);
  });

  it('receives broadcasts and ends on destroy()', async () => {
    r = await remote(transformer);
    const sparks = take(r.primus, 'connection', 2);
    const a = client(r, transformer);
    const b = client(r, transformer, { websockets: false });
    await sparks;
    const got = [next(a, 'data'), next(b, 'data')];
    r.primus.write({ all: 1 });
    expect(await Promise.all(got)).toEqual([{ all: 1 }, { all: 1 }]);
    const ends = [next(a, 'end'), next(b, 'end')];
    const destroyed = shutdown(r);
    await Promise.all(ends);
    await destroyed;
    expect(a.recovery.reconnecting).toBe(false);
    expect(b.recovery.reconnecting).toBe(false);
    r = undefined;
  });

  it('a rejected authorization gives our client `error` then `end`, no reconnect loop', async () => {
    r = await remote(transformer);
    r.primus.authorize((_req: unknown, done: (err?: unknown) => void) => done(Object.assign(new Error('nope'), { statusCode: 401 })));
    const c = client(r, transformer, {}, '', { authorization: true });
    const errors: Error[] = [];
    c.on('error', (e: Error) => errors.push(e));
    await next(c, 'end');
    expect(errors.length).toBe(1);
    expect(c.recovery.reconnecting).toBe(false);
    expect(r.primus.connected).toBe(0);
  });
});
