import { freePort, redisAvailable, startRedis, startRedisAt, type RedisServer } from '../helpers/redis';
import { connectClient, startNode, until, type ClusterNode } from '../helpers/cluster';
import type { Client } from '../../core/client';

/** What happens when a node dies, Redis restarts, Redis is not there, or a publish cannot go. */
const suite = redisAvailable() ? describe : describe.skip;

suite('cluster failures', () => {
  jest.setTimeout(60_000);
  let redis: RedisServer | undefined;
  let nodes: ClusterNode[] = [];
  const clients: Client[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await Promise.all(nodes.map((n) => n.kill()));
    nodes = [];
    await redis?.stop();
    redis = undefined;
  });

  async function connect(node: ClusterNode, user?: string) {
    const c = await connectClient(node.url, user);
    clients.push(c.client);
    return c;
  }

  const seen = (node: ClusterNode, name: string, match: (p: any) => boolean = () => true, from = 0) =>
    node.waitFor((m) => m.type === 'event' && m.name === name && match(m.payload), 20_000, from);

  it('a SIGKILLed node leaves the view, the routing table and presence within 10 s with the default TTL', async () => {
    redis = await startRedis();
    nodes = await Promise.all(['a', 'b', 'c'].map((id) => startNode(redis!.url, id)));
    await Promise.all(nodes.map((n) => n.call('ready')));
    const doomed = await connect(nodes[2], 'carol');
    await connect(nodes[0], 'ann');
    await until(async () => (await nodes[0].call('view')).connections === 2);
    expect(await nodes[0].call('spark', doomed.id)).toBe('c');

    const killedAt = Date.now();
    await nodes[2].kill('SIGKILL');
    await seen(nodes[0], 'nodeDown', (id) => id === 'c');
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const view = await nodes[0].call('view');
    expect(view.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['a', 'b']);
    expect(view.connections).toBe(1);
    expect(await nodes[0].call('spark', doomed.id)).toBe(null);
    expect(await nodes[1].call('send', doomed.id, 'hello?')).toBe('unknown');
    expect(await nodes[1].call('users')).toEqual(['ann']);
    // The reaper said who left, with the user's last spark.
    const leave = await seen(nodes[1], 'leave', (p) => p.spark === doomed.id);
    expect(leave.payload).toEqual({ spark: doomed.id, node: 'c', user: 'carol', last: true });
  });

  it('Redis restart: nodes reconnect, re-subscribe, rebuild routing and presence; local delivery never stops', async () => {
    redis = await startRedis();
    nodes = await Promise.all(['a', 'b'].map((id) => startNode(redis!.url, id, { nodeTtl: 2000, heartbeatInterval: 300 })));
    await Promise.all(nodes.map((n) => n.call('ready')));
    const onA = await connect(nodes[0], 'ann');
    const alsoOnA = await connect(nodes[0]);
    const onB = await connect(nodes[1], 'bob');
    await until(async () => (await nodes[0].call('view')).connections === 3);

    await redis.kill();
    await seen(nodes[0], 'redis', (p) => p.state === 'down');
    // Down: local sparks still get the broadcast; the publish is dropped and reported, not queued.
    expect(await nodes[0].call('broadcast', 'while down')).toBe(false);
    await until(() => onA.received.length === 1 && alsoOnA.received.length === 1);
    expect(onA.received).toEqual(['while down']);
    expect(onB.received).toEqual([]);
    expect(await nodes[0].call('pending')).toBe(0);
    await seen(nodes[0], 'dropped', () => true);
    await expect(nodes[0].call('send', onB.id, 'x')).rejects.toMatchObject({ code: 'ALLSPARK_CLUSTER' });
    expect(await nodes[0].call('send', alsoOnA.id, 'local')).toBe('delivered');
    await until(() => alsoOnA.received.length === 2);

    const mark = nodes[0].messages.length;
    await redis.restart();
    const ready = await seen(nodes[0], 'redis', (p) => p.state === 'ready', mark);
    // node:a, broadcast and presence: every channel was subscribed again on the new server.
    expect(ready.payload).toEqual({ state: 'ready', resubscribed: 3, dropped: 1 });
    await until(async () => (await nodes[1].call('view').catch(() => ({ connections: 0 }))).connections === 3);
    expect((await nodes[1].call('users')).sort()).toEqual(['ann', 'bob']);
    expect(await nodes[1].call('spark', onA.id)).toBe('a');

    await until(async () => (await nodes[1].call('broadcast', 'after restart')) === true);
    await until(() => onA.received.length === 2 && onB.received.length === 1);
    expect(onA.received).toEqual(['while down', 'after restart']);
    expect(onB.received).toEqual(['after restart']);
    expect(await nodes[1].call('send', alsoOnA.id, 'direct')).toBe('delivered');
    await until(() => alsoOnA.received.length === 4);
    expect(alsoOnA.received).toEqual(['while down', 'local', 'after restart', 'direct']);
    const logs = nodes[0].messages.filter((m) => m.type === 'log' && m.level !== 'error').map((m) => m.args[0]);
    expect(logs).toContainEqual(expect.objectContaining({ code: 'ALLSPARK_CLUSTER' }));
    expect(logs).toContain('cluster: Redis ready, 3 channel(s) subscribed again, 1 publish(es) dropped meanwhile');
  });

  it('Redis unreachable at start-up: the node serves locally, says so, and joins once Redis comes', async () => {
    const port = await freePort();
    nodes = [await startNode(`redis://127.0.0.1:${port}`, 'lonely', { heartbeatInterval: 300, nodeTtl: 2000 })];
    const [node] = nodes;
    await expect(node.call('ready', 300)).rejects.toMatchObject({ code: 'ALLSPARK_CLUSTER' });
    const down = await seen(node, 'redis', (p) => p.state === 'down');
    expect(down.payload.error.message).toMatch(/ECONNREFUSED/);
    const local = await connect(node);
    expect(await node.call('broadcast', 'local only')).toBe(false);
    await until(() => local.received.length === 1);
    expect(local.received).toEqual(['local only']);
    expect(await node.call('connected')).toBe(false);

    redis = await startRedisAt(port);
    await node.call('ready', 10_000);
    await until(async () => (await node.call('view')).connections === 1);
    expect(await node.call('spark', local.id)).toBe('lonely');
  });

  it('publishes in flight are bounded: past maxPendingPublishes they are dropped and counted, never queued', async () => {
    redis = await startRedis();
    nodes = [await startNode(redis.url, 'busy', { maxPendingPublishes: 5 })];
    await nodes[0].call('ready');
    const sent = await nodes[0].call('broadcastMany', 1000, 'x');
    expect(sent).toBe(5);
    expect(await nodes[0].call('dropped')).toBe(995);
    const dropped = await seen(nodes[0], 'dropped');
    expect(dropped.payload).toBe('bound');
    await until(async () => (await nodes[0].call('pending')) === 0);
  });

  it('without ioredis installed, using the plugin throws ALLSPARK_DEPENDENCY naming the install command', async () => {
    await expect(startNode('redis://127.0.0.1:1', 'x', {}, { ALLSPARK_TEST_HIDE_IOREDIS: '1' })).rejects.toMatchObject({
      code: 'ALLSPARK_DEPENDENCY',
      message: 'The cluster plugin needs the optional package "ioredis", which is not installed: run `npm install ioredis`',
    });
  });
});
