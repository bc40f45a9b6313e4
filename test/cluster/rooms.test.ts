import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis';
import { connectClient, startReadyNodes, until, type ClusterNode } from '../helpers/cluster';
import { Redis } from 'ioredis';
import type { Client } from '../../core/client';
import { seal } from '../../plugins/cluster/envelope';

/**
 * Rooms across three node processes on one real Redis: join on A,
 * broadcast from B, delivery on C (and A); only nodes with members listen
 * to a room; membership queries span the nodes. Malformed queries and
 * answers, published on the query channel straight into Redis by a "rogue"
 * that is no node, are logged and fail fast (queryTimeout is 60 s here).
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

  describe('malformed membership queries and answers', () => {
    /** The nodes' query channel in Redis, and where answers to node `id` go. */
    const QUERIES = 'allspark:c:rooms-query:room:';
    const repliesTo = (id: string) => `${QUERIES}:reply:${id}`;
    let pub: Redis;
    let sub: Redis;
    /** What the rogue received: [channel, origin, payload]. */
    const heard: Array<[string, string, string]> = [];
    beforeAll(async () => {
      pub = new Redis(redis.url);
      sub = new Redis(redis.url);
      sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
        heard.push([channel.toString(), message.toString('latin1', 2, 2 + message[1]), message.toString('utf8', 2 + message[1])]);
      });
    });
    afterAll(async () => {
      await Promise.all([pub.quit(), sub.quit()]);
    });
    beforeEach(() => void heard.splice(0));

    /** The ALLSPARK_ROOMS_QUERY_INVALID messages a node logged (at level error), from message index `from` on. */
    const invalid = (node: ClusterNode, from = 0) =>
      node.messages
        .slice(from)
        .filter((m) => m.type === 'log' && m.level === 'error' && m.args[0]?.code === 'ALLSPARK_ROOMS_QUERY_INVALID')
        .map((m) => m.args[0].message as string);

    /** Settles with the value or the error's code and message; fails the test past 15 s (the nodes' queryTimeout is 60 s). */
    async function settled(query: Promise<unknown>): Promise<unknown> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the query waited for its timeout')), 15_000)));
      try {
        return await Promise.race([query.then((value) => ({ value }), (err: { code: string; message: string }) => ({ code: err.code, message: err.message })), late]);
      } finally {
        clearTimeout(timer);
      }
    }

    it('a malformed query is logged by every node and answered with the error; one that names no request is logged and dropped', async () => {
      const marks = nodes.map((n) => n.messages.length);
      await sub.subscribe(repliesTo('rogue'));
      await pub.publish(QUERIES, seal('rogue', JSON.stringify([7, '{not json'])));
      await pub.publish(QUERIES, seal('rogue', JSON.stringify([8, JSON.stringify({ op: 'sockets' })])));
      await pub.publish(QUERIES, seal('rogue', 'garbage'));
      await until(() => heard.length === 6 && nodes.every((n, i) => invalid(n, marks[i]).length === 3));
      for (const [i, node] of nodes.entries()) {
        expect(invalid(node, marks[i])).toEqual([
          'Malformed membership query from node rogue: not JSON',
          'Malformed membership query from node rogue: unknown op "sockets"',
          'Malformed membership query from node rogue (not [id, query]): dropped',
        ]);
      }
      const answers = heard.map(([channel, origin, payload]) => [channel, origin, JSON.parse(payload)]).sort((x, y) => (x[1] + x[2][0] < y[1] + y[2][0] ? -1 : 1));
      const error = (node: string, reason: string) => JSON.stringify({ error: { code: 'ALLSPARK_ROOMS_QUERY_INVALID', message: `Malformed membership query from node rogue: ${reason}`, node } });
      expect(answers).toEqual(
        ['a', 'b', 'c'].flatMap((node) => [
          [repliesTo('rogue'), node, [7, error(node, 'not JSON')]],
          [repliesTo('rogue'), node, [8, error(node, 'unknown op "sockets"')]],
        ]),
      );
      await sub.unsubscribe(repliesTo('rogue'));
      // The nodes still answer one another.
      expect(await settled(nodes[0].call('rooms'))).toEqual({ value: ['news', 'sport'] });
    });

    it("a node's query rejects at once with the error another node answered; a malformed answer is logged and left out", async () => {
      const [, B, C] = nodes;
      const members = (await C.call('roomClients', ['sport'])).sort();
      expect(members.length).toBe(2);
      // The rogue listens on the query channel, so every node expects its answer too (Redis counts it).
      let answer: (id: number) => string[] = () => [];
      sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
        if (channel.toString() !== QUERIES) return;
        const [id] = JSON.parse(message.toString('utf8', 2 + message[1])) as [number];
        const origin = message.toString('latin1', 2, 2 + message[1]);
        for (const reply of answer(id)) void pub.publish(repliesTo(origin), seal('rogue', reply));
      });
      await sub.subscribe(QUERIES);
      try {
        answer = (id) => [JSON.stringify([id, JSON.stringify({ error: { code: 'ALLSPARK_ROOMS_QUERY_INVALID', message: 'cannot read it', node: 'rogue' } })])];
        expect(await settled(B.call('roomClients', ['sport']))).toEqual({ code: 'ALLSPARK_ROOMS_QUERY_INVALID', message: 'Node rogue could not answer the membership query: cannot read it' });

        const mark = B.messages.length;
        // Garbage that names no request (dropped), then an answer that is not a list (counted, left out).
        answer = (id) => ['zzz', JSON.stringify([id, '{"ids":1}'])];
        expect(await settled(B.call('roomClients', ['sport'])).then((r) => ({ value: (r as { value: string[] }).value.sort() }))).toEqual({ value: members });
        await until(() => invalid(B, mark).length === 2);
        expect(invalid(B, mark)).toEqual(['Malformed answer to a membership query from node rogue (not [id, answer]): dropped', 'Malformed answer to a membership query (not a list of strings): left out']);
      } finally {
        await sub.unsubscribe(QUERIES);
      }
    });
  });
});
