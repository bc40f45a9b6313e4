import { join } from 'node:path';
import { Primus } from '../../index';
import type { Client, ClientOptions } from '../../core/client';
import type { SocketClass } from '../../core/client/factory';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { nginxAvailable, startNginx, type Nginx } from '../helpers/nginx';
import { connectClient, startReadyNodes, until, type ClusterNode } from '../helpers/cluster';

/**
 * docs/nginx.conf for real: Debian's nginx in front of three cluster nodes
 * (child processes on one Redis). Clients connect through nginx only, land
 * on different nodes, and reach each other through the cluster.
 */
const suite = redisAvailable() && nginxAvailable() ? describe : describe.skip;
const CONFIG = join(__dirname, '..', '..', 'docs', 'nginx.conf');

suite('three nodes behind nginx (docs/nginx.conf)', () => {
  jest.setTimeout(60_000);
  let redis: RedisServer;
  let nodes: ClusterNode[] = [];
  let nginx: Nginx | undefined;
  const clients: Client[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await nginx?.stop();
    nginx = undefined;
    await Promise.all(nodes.map((n) => n.kill()));
    nodes = [];
  });
  afterAll(async () => {
    await redis.stop();
  });

  async function cluster(transformer: string): Promise<void> {
    const env = { ALLSPARK_TEST_TRANSFORMER: transformer };
    nodes = await startReadyNodes(redis.url, ['n1', 'n2', 'n3'].map((id) => `${transformer}-${id}`), { heartbeatInterval: 300, nodeTtl: 2000 }, env);
    nginx = await startNginx(CONFIG, nodes.map((n) => Number(new URL(n.url).port)));
  }

  async function spreadAndBroadcast(Socket: SocketClass, options: ClientOptions = {}): Promise<void> {
    const connected: Array<{ id: string; received: unknown[] }> = [];
    for (let i = 0; i < 12; i++) {
      const c = await connectClient(nginx!.url, undefined, Socket, options);
      clients.push(c.client);
      connected.push(c);
    }
    await until(async () => (await nodes[0].call('view')).connections === 12);
    const view = await nodes[0].call('view');
    // Every node got some of the clients (12 random `_primuscb` keys over 3 backends).
    expect(view.nodes.filter((n: { connections: number }) => n.connections > 0).length).toBeGreaterThanOrEqual(2);
    expect(await nodes[1].call('broadcast', 'through nginx')).toBe(true);
    await until(() => connected.every((c) => c.received.length === 1));
    for (const c of connected) expect(c.received).toEqual(['through nginx']);
    const last = connected[connected.length - 1];
    expect(await nodes[2].call('send', last.id, 'to you')).toBe('delivered');
    await until(() => last.received.length === 2);
    expect(last.received).toEqual(['through nginx', 'to you']);
  }

  it('websockets: no sticky sessions needed; broadcast and send-to-id across nodes', async () => {
    await cluster('websockets');
    await spreadAndBroadcast(Primus.createSocket({ transformer: 'websockets' }));
  });

  it('a SIGKILLed node: its clients reconnect through nginx to the others, the view follows, broadcasts reach everyone', async () => {
    await cluster('websockets');
    const Socket = Primus.createSocket({ transformer: 'websockets' });
    const connected: Array<{ client: Client; received: unknown[] }> = [];
    for (let i = 0; i < 9; i++) {
      const c = await connectClient(nginx!.url, undefined, Socket);
      clients.push(c.client);
      connected.push(c);
    }
    await until(async () => (await nodes[0].call('view')).connections === 9);
    // Kill the node holding the most clients: 9 random hash keys can leave one of three nodes with none.
    const counts: Array<{ id: string; connections: number }> = (await nodes[0].call('view')).nodes;
    const busiest = counts.reduce((a, b) => (b.connections > a.connections ? b : a));
    expect(busiest.connections).toBeGreaterThan(0);
    const [doomed] = nodes.splice(nodes.findIndex((n) => n.nodeId === busiest.id), 1);
    await doomed.kill('SIGKILL');
    // Reaped within the TTL; every client back, on the two live nodes.
    await until(async () => {
      const view = await nodes[0].call('view');
      return view.nodes.length === 2 && view.connections === 9;
    }, 20_000);
    await until(async () => (await nodes[0].call('broadcast', 'still here')) === true);
    await until(() => connected.every((c) => c.received.includes('still here')));
  });

  it('engine.io long-polling (websockets: false): the _primuscb hash keeps each session on one node', async () => {
    await cluster('engine.io');
    await spreadAndBroadcast(Primus.createSocket({ transformer: 'engine.io' }), { websockets: false });
    // No request of a polling session reached a node that did not hold it.
    for (const node of nodes) expect(node.messages.filter((m) => m.type === 'log' && m.level === 'warn')).toEqual([]);
  });
});
