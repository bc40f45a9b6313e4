import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { Primus, createKernel, clusterOf, cluster, websockets, jsonParserPlugin, type Kernel } from '../../index';
import { msgpackParser } from '../../plugins/binary-parser';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { httpServer, until, urlOf } from '../helpers/net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RealPrimus = require('primus');
const PrimusClient = RealPrimus.createSocket({ transformer: 'websockets' });

/** The facade's `cluster` option and the kernel plugin in one process: two servers on one real Redis. */
const suite = redisAvailable() ? describe : describe.skip;

suite('cluster in the Primus facade and the kernel', () => {
  jest.setTimeout(30_000);
  let redis: RedisServer;
  const clients: Array<{ end(): void }> = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.end();
  });

  /** A real Primus 8 client; resolves once open, collecting what it receives. */
  async function primusClient(url: string): Promise<{ received: unknown[] }> {
    const client = new PrimusClient(url, { strategy: false });
    clients.push(client);
    const received: unknown[] = [];
    client.on('data', (d: unknown) => received.push(d));
    await new Promise((resolve) => client.on('open', resolve));
    return { received };
  }

  it('new Primus(server, { cluster: { redis } }): primus.write reaches plain Primus 8 clients on both servers, outgoing transforms run per spark', async () => {
    const given = new Redis(redis.url);
    const servers: Server[] = [await httpServer(), await httpServer()];
    const one = new Primus(servers[0], { cluster: { redis: redis.url, nodeId: 'one' } });
    const two = new Primus(servers[1], { cluster: { redis: given, nodeId: 'two' } });
    two.transform('outgoing', (packet: { data: unknown }) => {
      packet.data = { wrapped: packet.data };
    });
    await Promise.all([one.cluster!.ready(), two.cluster!.ready()]);
    const a = await primusClient(urlOf(servers[0]));
    const b = await primusClient(urlOf(servers[1]));
    await until(async () => (await one.cluster!.view()).connections === 2);
    expect(one.write('hi all')).toBe(true);
    await until(() => a.received.length === 1 && b.received.length === 1);
    expect(a.received).toEqual(['hi all']);
    expect(b.received).toEqual([{ wrapped: 'hi all' }]);

    const [idOnTwo] = Object.keys(two.connections);
    expect(await one.cluster!.send(idOnTwo, 'direct')).toBe('delivered');
    await until(() => b.received.length === 2);
    expect(b.received[1]).toEqual({ wrapped: 'direct' });

    await new Promise((r) => one.destroy(r));
    await new Promise((r) => two.destroy(r));
    // The client the user passed in is theirs: still open.
    expect(given.status).toBe('ready');
    await given.quit();
  });

  it('rejects bad cluster options (ALLSPARK_PLUGIN_OPTIONS)', () => {
    expect(() => createKernel().use(cluster, { redis: 'redis://x', heartbeatInterval: 5000, nodeTtl: 1000 })).toThrow(
      expect.objectContaining({ code: 'ALLSPARK_PLUGIN_OPTIONS' }),
    );
    expect(() => createKernel().use(cluster, { redis: 42 } as never)).toThrow(expect.objectContaining({ code: 'ALLSPARK_PLUGIN_OPTIONS' }));
  });

  it('carries binary frames (msgpack) between kernels unchanged', async () => {
    const kernels: Kernel[] = [];
    const urls: string[] = [];
    for (const nodeId of ['m1', 'm2']) {
      const kernel = createKernel().use(websockets).use(msgpackParser).use(cluster, { redis: redis.url, nodeId });
      urls.push(urlOf(await kernel.listen(0)));
      kernels.push(kernel);
      await clusterOf(kernel)!.ready();
    }
    const MsgpackClient = Primus.createSocket({ transformer: 'websockets', parser: 'msgpack' });
    const got: unknown[][] = [[], []];
    await Promise.all(
      urls.map((url, i) => {
        const c = new MsgpackClient(url);
        clients.push(c);
        c.on('data', (d: unknown) => got[i].push(d));
        return new Promise<void>((resolve) => c.on('open', () => resolve()));
      }),
    );
    const message = { bytes: new Uint8Array([0, 10, 255]), text: 'é✓' };
    kernels[0].write(message);
    await until(() => got[0].length === 1 && got[1].length === 1);
    expect(got[1]).toEqual(got[0]);
    expect((got[1][0] as { text: string }).text).toBe('é✓');
    for (const c of clients.splice(0)) c.end();
    await Promise.all(kernels.map((k) => k.close()));
  });

  it('warns at start-up when Redis may evict the cluster keys', async () => {
    const admin = new Redis(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const kernel = createKernel().use(websockets).use(jsonParserPlugin).use(cluster, { redis: redis.url });
    const warnings: Array<{ code: string; message: string }> = [];
    kernel.on('log', (level, err) => (level === 'warn' ? warnings.push(err as { code: string; message: string }) : undefined));
    await clusterOf(kernel)!.ready();
    await until(() => warnings.length === 1);
    expect(warnings[0].code).toBe('ALLSPARK_CLUSTER');
    expect(warnings[0].message).toBe('cluster: Redis may evict keys (maxmemory-policy allkeys-lru); use noeviction or a volatile-* policy');
    await kernel.close();
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.quit();
  });
});
