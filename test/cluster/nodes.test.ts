import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { connectClient, startReadyNodes, until, type ClusterNode } from '../helpers/cluster';
import { Redis } from 'ioredis';
import type { Client } from '../../core/client';

/** Three nodes on one real Redis, each in its own process; clients on different nodes. */
const suite = redisAvailable() ? describe : describe.skip;

suite('cluster: three nodes on one Redis', () => {
  jest.setTimeout(60_000);
  let redis: RedisServer;
  let nodes: ClusterNode[] = [];
  const clients: Client[] = [];
  const fast = { nodeTtl: 2000, heartbeatInterval: 300 };

  beforeAll(async () => {
    redis = await startRedis();
    nodes = await startReadyNodes(redis.url, ['a', 'b', 'c'], fast);
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all(nodes.map((n) => n.kill()));
    await redis?.stop();
  });

  async function connect(node: ClusterNode, user?: string) {
    const c = await connectClient(node.url, user);
    clients.push(c.client);
    return c;
  }

  it('lists the live nodes and counts connections per node and in total', async () => {
    const [a1, a2, b1] = [await connect(nodes[0]), await connect(nodes[0]), await connect(nodes[1])];
    await until(async () => (await nodes[2].call('view')).connections === 3);
    const view = await nodes[2].call('view');
    const counts = Object.fromEntries(view.nodes.map((n: { id: string; connections: number }) => [n.id, n.connections]));
    expect(counts).toEqual({ a: 2, b: 1, c: 0 });
    expect(await nodes[2].call('spark', a1.id)).toBe('a');
    expect(await nodes[2].call('spark', b1.id)).toBe('b');
    expect(await nodes[2].call('spark', 'nobody')).toBe(null);
    for (const c of [a1, a2, b1]) c.client.end();
    await until(async () => (await nodes[2].call('view')).connections === 0);
  });

  it('broadcasts from any node to every spark on every node, once each', async () => {
    const cs = await Promise.all([connect(nodes[0]), connect(nodes[1]), connect(nodes[2]), connect(nodes[2])]);
    expect(await nodes[1].call('broadcast', { hello: 'all' })).toBe(true);
    await until(() => cs.every((c) => c.received.length === 1));
    for (const c of cs) expect(c.received).toEqual([{ hello: 'all' }]);
    // Nothing more arrives later (no echo of the publisher's own message).
    await new Promise((r) => setTimeout(r, 200));
    for (const c of cs) expect(c.received).toEqual([{ hello: 'all' }]);
    for (const c of cs) c.client.end();
  });

  it('sends to one spark by id from another node, and reports unknown ids', async () => {
    const target = await connect(nodes[2]);
    const other = await connect(nodes[1]);
    await until(async () => (await nodes[0].call('spark', target.id)) === 'c');
    expect(await nodes[0].call('send', target.id, 'just you')).toBe('delivered');
    await until(() => target.received.length === 1);
    expect(target.received).toEqual(['just you']);
    expect(other.received).toEqual([]);
    expect(await nodes[0].call('send', 'no-such-spark', 'x')).toBe('unknown');
    target.client.end();
    other.client.end();
  });

  it('sends to a list of ids spread over nodes with one report', async () => {
    const [x, y, z] = [await connect(nodes[0]), await connect(nodes[1]), await connect(nodes[2])];
    await until(async () => (await nodes[1].call('view')).connections === 3);
    const report = await nodes[1].call('sendMany', [x.id, y.id, z.id, 'ghost'], { n: 1 });
    expect(report.delivered.sort()).toEqual([x.id, y.id, z.id].sort());
    expect(report.unknown).toEqual(['ghost']);
    await until(() => [x, y, z].every((c) => c.received.length === 1));
    for (const c of [x, y, z]) expect(c.received).toEqual([{ n: 1 }]);
    for (const c of [x, y, z]) c.client.end();
  });

  it('reports presence of sparks and users with join/leave events on every node', async () => {
    const before = nodes[2].messages.length;
    const ann1 = await connect(nodes[0], 'ann');
    const ann2 = await connect(nodes[1], 'ann');
    const userJoin = await nodes[2].waitFor((m, i = nodes[2].messages.indexOf(m)) => i >= before && m.name === 'userJoin');
    expect(userJoin.payload).toBe('ann');
    await until(async () => (await nodes[2].call('sparks')).length === 2);
    expect((await nodes[2].call('sparks')).sort()).toEqual([ann1.id, ann2.id].sort());
    expect(await nodes[2].call('users')).toEqual(['ann']);
    const join = await nodes[2].waitFor((m) => m.name === 'join' && m.payload.spark === ann2.id);
    expect(join.payload).toEqual({ spark: ann2.id, node: 'b', user: 'ann', first: false });
    ann1.client.end();
    await nodes[2].waitFor((m) => m.name === 'leave' && m.payload.spark === ann1.id);
    expect(await nodes[2].call('users')).toEqual(['ann']);
    ann2.client.end();
    const userLeave = await nodes[2].waitFor((m) => m.name === 'userLeave');
    expect(userLeave.payload).toBe('ann');
    expect(await nodes[2].call('users')).toEqual([]);
  });

  it('subscribes a node to a channel only while it has local subscribers (reference-counted)', async () => {
    expect(await nodes[0].call('subscribe', 'room:1')).toContain('allspark:c:room:1');
    await nodes[0].call('subscribe', 'room:1');
    await nodes[1].call('subscribe', 'room:1');
    // Two nodes listen on Redis (node a once, however many local subscriptions it has).
    const probe = new Redis(redis.url);
    const listeners = async () => ((await probe.pubsub('NUMSUB', 'allspark:c:room:1')) as [string, number])[1];
    await until(async () => (await listeners()) === 2);
    expect(await nodes[2].call('publish', 'room:1', 'to the room')).toBe(true);
    const onChannel = (node: ClusterNode) => node.messages.filter((m) => m.type === 'channel');
    await until(() => onChannel(nodes[0]).length === 2 && onChannel(nodes[1]).length === 1);
    const fromC = onChannel(nodes[0]);
    // Two local subscriptions on node a: each handler gets the message once.
    expect(fromC).toEqual([
      { type: 'channel', channel: 'room:1', payload: 'to the room', origin: 'c' },
      { type: 'channel', channel: 'room:1', payload: 'to the room', origin: 'c' },
    ]);
    expect(await nodes[0].call('unsubscribe', 'room:1')).toContain('allspark:c:room:1');
    expect(await nodes[0].call('unsubscribe', 'room:1')).not.toContain('allspark:c:room:1');
    await until(async () => (await listeners()) === 1);
    await probe.quit();
  });
});
