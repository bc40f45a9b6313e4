import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { Primus } from '../../index';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { until, urlOf } from '../helpers/net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RealPrimus = require('primus');
const PrimusClient = RealPrimus.createSocket({ transformer: 'websockets' });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const metroplex = require('metroplex');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const omegaSupreme = require('omega-supreme');

type Callback<T> = (err: Error | null, result: T) => void;
interface Forward {
  broadcast(msg: unknown, fn: Callback<unknown>): void;
  spark(id: string, msg: unknown, fn: Callback<{ ok: boolean; send: number }>): void;
}
interface Scaled {
  forward: Forward;
  metroplex: { servers(self: boolean, fn: Callback<string[]>): void; spark(id: string, fn: Callback<string>): void };
}

/**
 * Primus's own scale-out plugins from npm, unchanged, on our facade: metroplex keeps spark
 * routes in a real Redis, omega-supreme forwards messages between the servers over HTTP.
 */
const suite = redisAvailable() ? describe : describe.skip;

suite('metroplex + omega-supreme on the facade', () => {
  jest.setTimeout(30_000);
  let redis: RedisServer;
  const servers: Array<{ http: Server; primus: Primus & Scaled; client: Redis }> = [];
  const clients: Array<{ end(): void }> = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.end();
    for (const { primus, client } of servers) {
      await new Promise((r) => primus.destroy({ close: true }, r));
      client.disconnect();
    }
    await redis.stop();
  });

  /** A facade server with both plugins, listening after they are in (metroplex registers on `listening`). */
  async function server(): Promise<{ http: Server; primus: Primus & Scaled }> {
    const http = createServer();
    const client = new Redis(redis.url);
    const primus = new Primus(http, {
      transformer: 'websockets',
      password: 'secret',
      redis: client,
      plugin: { 'omega-supreme': omegaSupreme, metroplex },
    } as never) as Primus & Scaled;
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    servers.push({ http, primus, client });
    return { http, primus };
  }

  async function connect(http: Server): Promise<{ received: unknown[]; id: string }> {
    const client = new PrimusClient(urlOf(http), { strategy: false });
    clients.push(client);
    const received: unknown[] = [];
    client.on('data', (d: unknown) => received.push(d));
    const id = await new Promise<string>((resolve) => client.on('open', () => client.id(resolve)));
    return { received, id };
  }

  const call = <T>(fn: (cb: Callback<T>) => void): Promise<T> =>
    new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));

  it('registers both servers, routes a spark id to its server, forwards to one spark and broadcasts to all', async () => {
    const a = await server();
    const b = await server();
    // `servers(true)`: every registered server, this one included.
    const all = () => call<string[]>((cb) => a.primus.metroplex.servers(true, cb));
    await until(async () => (await all()).length === 2);
    expect((await all()).sort()).toEqual([urlOf(a.http), urlOf(b.http)].sort());

    const onA = await connect(a.http);
    const onB = await connect(b.http);
    await until(async () => (await call<string>((cb) => a.primus.metroplex.spark(onB.id, cb))) === urlOf(b.http));

    const sent = await call<{ ok: boolean; send: number }>((cb) => a.primus.forward.spark(onB.id, { to: 'b' }, cb));
    expect(sent).toMatchObject({ ok: true, send: 1 });
    await until(() => onB.received.length === 1);
    expect(onB.received).toEqual([{ to: 'b' }]);

    await call((cb) => b.primus.forward.broadcast({ to: 'all' }, cb));
    await until(() => onA.received.length === 1 && onB.received.length === 2);
    expect(onA.received).toEqual([{ to: 'all' }]);
    expect(onB.received).toEqual([{ to: 'b' }, { to: 'all' }]);
  });
});
