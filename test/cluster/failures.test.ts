import { freePort, redisAvailable, startRedis, startRedisAt, type RedisServer } from '../helpers/redis';
import { connectClient, startNode, startReadyNodes, until, type ClusterNode } from '../helpers/cluster';
import { FaultProxy } from '../helpers/proxy';
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
    nodes = await startReadyNodes(redis.url, ['a', 'b', 'c']);
    const doomed = await connect(nodes[2], 'carol');
    await connect(nodes[0], 'ann');
    await until(async () => (await nodes[0].call('view')).connections === 2);
    expect(await nodes[0].call('spark', doomed.id)).toBe('c');

    const killedAt = Date.now();
    await nodes[2].kill('SIGKILL');
    // Before the reaper runs the route still points at c, but nobody listens on c's channel any more:
    // a send says `unknown` at once instead of waiting for the send timeout.
    await new Promise((r) => setTimeout(r, 300));
    expect(await nodes[0].call('spark', doomed.id)).toBe('c');
    const sendStarted = Date.now();
    expect(await nodes[0].call('send', doomed.id, 'anyone?')).toBe('unknown');
    expect(Date.now() - sendStarted).toBeLessThan(5000);
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
    nodes = await startReadyNodes(redis.url, ['a', 'b'], { nodeTtl: 2000, heartbeatInterval: 300 });
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

  it('a network cut between one node and Redis: what changed meanwhile is put right on reconnect (no ghost, nothing missing)', async () => {
    redis = await startRedis();
    const proxy = new FaultProxy(redis.port);
    const proxyPort = await proxy.listen();
    try {
      nodes = [
        await startNode(`redis://127.0.0.1:${proxyPort}`, 'cut', { nodeTtl: 5000, heartbeatInterval: 300 }),
        await startNode(redis.url, 'watcher', { nodeTtl: 5000, heartbeatInterval: 300 }),
      ];
      await Promise.all(nodes.map((n) => n.call('ready')));
      const [cut, watcher] = nodes;
      const leaving = await connect(cut, 'lea');
      await until(async () => (await watcher.call('spark', leaving.id)) === 'cut');

      const mark = watcher.messages.length;
      proxy.blip(Infinity); // cut, and refuse until restored
      await seen(cut, 'redis', (p) => p.state === 'down');
      // While cut off (shorter than the TTL, so the node is not reaped): one spark leaves, one joins.
      leaving.client.end();
      const arriving = await connect(cut, 'arne');
      await until(async () => (await cut.call('local')).length === 1);
      expect(await watcher.call('spark', leaving.id)).toBe('cut'); // stale until the node is back

      proxy.restore();
      await seen(watcher, 'leave', (p) => p.spark === leaving.id, mark);
      await seen(watcher, 'join', (p) => p.spark === arriving.id, mark);
      expect(await watcher.call('spark', leaving.id)).toBe(null);
      expect(await watcher.call('spark', arriving.id)).toBe('cut');
      expect(await watcher.call('users')).toEqual(['arne']);
      // The node was never reaped: no nodeDown for it.
      expect(watcher.messages.slice(mark).filter((m) => m.name === 'nodeDown')).toEqual([]);
    } finally {
      await proxy.close();
    }
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

  it('a node that stops answering (SIGSTOP): a send to its spark rejects after sendTimeout; after SIGCONT it is delivered', async () => {
    redis = await startRedis();
    nodes = await startReadyNodes(redis.url, ['a', 'b'], { sendTimeout: 500 });
    const onB = await connect(nodes[1]);
    await until(async () => (await nodes[0].call('spark', onB.id)) === 'b');
    nodes[1].child.kill('SIGSTOP');
    try {
      // b is still subscribed (its sockets are open) but answers nothing: bounded by sendTimeout.
      await expect(nodes[0].call('send', onB.id, 'hello?')).rejects.toMatchObject({
        code: 'ALLSPARK_CLUSTER',
        message: 'Node b did not answer within 500 ms',
      });
    } finally {
      nodes[1].child.kill('SIGCONT');
    }
    // The request that timed out is still delivered once b resumes: a timeout means no answer in time, not lost.
    await until(() => onB.received.length === 1);
    expect(await nodes[0].call('send', onB.id, 'awake')).toBe('delivered');
    await until(() => onB.received.length === 2);
    expect(onB.received).toEqual(['hello?', 'awake']);
  });

  it('without ioredis installed, using the plugin throws ALLSPARK_DEPENDENCY naming the install command', async () => {
    await expect(startNode('redis://127.0.0.1:1', 'x', {}, { ALLSPARK_TEST_HIDE_IOREDIS: '1' })).rejects.toMatchObject({
      code: 'ALLSPARK_DEPENDENCY',
      message: 'The cluster plugin needs the optional package "ioredis", which is not installed: run `npm install ioredis`',
    });
  });
});
