import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { connectClient, startReadyNodes, until, type ClusterNode } from '../helpers/cluster';
import { Redis } from 'ioredis';
import type { Client } from '../../core/client';

/**
 * Rooms across three node processes on one real Redis: join on A,
 * broadcast from B, delivery on C (and A); only nodes with members listen
 * to a room; membership queries span the nodes.
 */
const suite = redisAvailable() ? describe : describe.skip;

suite('rooms across three nodes on one Redis', () => {
  jest.setTimeout(60_000);
  let redis: RedisServer;
  let nodes: ClusterNode[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    nodes = await startReadyNodes(redis.url, ['a', 'b', 'c'], { nodeTtl: 2000, heartbeatInterval: 300 }, { ALLSPARK_TEST_ROOMS: '1' });
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all(nodes.map((n) => n.kill()));
    await redis?.stop();
  });

  async function connect(node: ClusterNode) {
    const c = await connectClient(node.url);
    clients.push(c.client);
    return c;
  }

  it('join on A, write from B, delivery on A and C only; each member once; except; queries; unsubscribe when the last member leaves', async () => {
    const [A, B, C] = nodes;
    const a1 = await connect(A);
    const b1 = await connect(B);
    const [c1, c2] = [await connect(C), await connect(C)];
    await A.call('join', a1.id, 'news');
    await C.call('join', c1.id, 'news');
    await C.call('join', c1.id, 'sport');
    await C.call('join', c2.id, 'sport');
    expect(await A.call('channels')).toContain('room:news');
    expect(await B.call('channels')).not.toContain('room:news');
    expect(await C.call('channels')).toEqual(expect.arrayContaining(['room:news', 'room:sport']));
    // Redis confirms subscriptions asynchronously: wait until it counts the nodes listening to each room.
    const probe = new Redis(redis.url);
    const listeners = async (room: string) => ((await probe.pubsub('NUMSUB', `allspark:c:room:${room}`)) as [string, number])[1];
    await until(async () => (await listeners('news')) === 2 && (await listeners('sport')) === 1);
    expect((await B.call('roomClients', ['news'])).sort()).toEqual([a1.id, c1.id].sort());
    expect((await A.call('rooms')).sort()).toEqual(['news', 'sport']);

    expect(await B.call('roomWrite', ['news'], [], { n: 1 })).toBe(true);
    await until(() => a1.received.length === 1 && c1.received.length === 1);
    // c1 is in both rooms and gets a two-room write once; c2 gets it through sport; a1 is left out.
    expect(await B.call('roomWrite', ['news', 'sport'], [a1.id], { n: 2 })).toBe(true);
    await until(() => c1.received.length === 2 && c2.received.length === 1);
    // A write after them, from C, shows that nothing else was on its way.
    await C.call('roomWrite', ['sport'], [], { n: 3 });
    await until(() => c1.received.length === 3 && c2.received.length === 2);
    expect(a1.received).toEqual([{ n: 1 }]);
    expect(b1.received).toEqual([]);
    expect(c1.received).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(c2.received).toEqual([{ n: 2 }, { n: 3 }]);

    a1.client.end();
    await until(async () => !(await A.call('channels')).includes('room:news'));
    await until(async () => (await listeners('news')) === 1);
    await probe.quit();
    await until(async () => (await B.call('roomClients', ['news'])).length === 1);
    expect(await B.call('roomClients', ['news'])).toEqual([c1.id]);
  });
});
