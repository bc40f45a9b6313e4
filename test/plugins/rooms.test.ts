import { Primus, rooms, roomsOf, definePlugin, AllsparkError, type Kernel, type Client, type Spark } from '../../index';
import { startKernel, stopAll } from '../helpers/kernel';
import { once, collect, delay, httpServer, urlOf } from '../helpers/net';
import { MemoryBus } from '../helpers/memory-broker';

type Env = Awaited<ReturnType<typeof startKernel>>;
let envs: Env[] = [];

afterEach(async () => {
  for (const env of envs) await stopAll(env);
  envs = [];
});

async function start(setup: (kernel: Kernel) => void = (k) => void k.use(rooms), options = {}): Promise<Env> {
  const env = await startKernel(setup, options);
  envs.push(env);
  return env;
}

/** Connect `n` clients and resolve with [client, spark] pairs, in order. */
async function connect(env: Env, n: number): Promise<Array<[Client, Spark]>> {
  const pairs: Array<[Client, Spark]> = [];
  for (let i = 0; i < n; i++) {
    const spark = once<Spark>(env.kernel, 'connection');
    const client = env.client();
    pairs.push([client, await spark]);
    await once(client, 'open');
  }
  return pairs;
}

/** Everything each client receives, by index. */
function record(pairs: Array<[Client, Spark]>): unknown[][] {
  return pairs.map(([client]) => {
    const got: unknown[] = [];
    client.on('data', (d: unknown) => got.push(d));
    return got;
  });
}

describe('rooms on one node', () => {
  test('join, leave, spark.rooms and room writes reach members only', async () => {
    const env = await start();
    const pairs = await connect(env, 3);
    const [[, a], [, b], [, c]] = pairs;
    a.join('news');
    b.join(['news', 'sport']);
    c.join('sport');
    expect([...a.rooms]).toEqual(['news']);
    expect([...b.rooms]).toEqual(['news', 'sport']);
    const got = record(pairs);
    const service = roomsOf(env.kernel);
    expect(service.room('news').write('extra!')).toBe(true);
    service.room('sport').write('goal!');
    await collect(pairs[1][0], 'data', 2);
    await delay(20);
    expect(got).toEqual([['extra!'], ['extra!', 'goal!'], ['goal!']]);
    b.leave('news');
    expect([...b.rooms]).toEqual(['sport']);
    service.room('news').write('late');
    await once(pairs[0][0], 'data');
    await delay(20);
    expect(got[1]).toEqual(['extra!', 'goal!']);
  });

  test('several rooms at once: each member once; except(ids) leaves sparks out; spark.room() excludes the sender', async () => {
    const env = await start();
    const pairs = await connect(env, 3);
    const [[, a], [, b], [, c]] = pairs;
    a.join(['x', 'y']);
    b.join('y');
    c.join('x');
    const got = record(pairs);
    const service = roomsOf(env.kernel);
    service.room(['x', 'y']).write(1);
    service.in(['x', 'y']).except([c.id]).write(2);
    service.room('y').except(a).write(3);
    a.room(['x', 'y']).write(4);
    await collect(pairs[1][0], 'data', 4);
    await delay(20);
    expect(got).toEqual([[1, 2], [1, 2, 3, 4], [1, 4]]);
  });

  test('a room write is encoded once and framed once for all local members', async () => {
    const env = await start();
    const pairs = await connect(env, 4);
    for (const [, spark] of pairs) spark.join('all');
    const encode = jest.spyOn(env.kernel.parser, 'encode');
    const prepare = jest.spyOn(env.kernel.transformer, 'prepareBroadcast');
    const got = record(pairs);
    roomsOf(env.kernel).room('all').write({ n: 1 });
    expect(encode).toHaveBeenCalledTimes(1);
    expect(prepare).toHaveBeenCalledTimes(1);
    await Promise.all(pairs.map(([client], i) => (got[i].length > 0 ? Promise.resolve() : once(client, 'data'))));
    expect(got).toEqual([[{ n: 1 }], [{ n: 1 }], [{ n: 1 }], [{ n: 1 }]]);
    encode.mockRestore();
    prepare.mockRestore();
  });

  test('a spark that ends leaves every room; events on spark and kernel', async () => {
    const env = await start();
    const pairs = await connect(env, 2);
    const [[clientA, a], [, b]] = pairs;
    const kernelEvents: unknown[] = [];
    for (const name of ['joinroom', 'leaveroom', 'leaveallrooms'] as const) {
      env.kernel.on(name, (room: unknown, spark: Spark) => kernelEvents.push([name, room, spark.id === a.id ? 'a' : 'b']));
    }
    const sparkEvents: unknown[] = [];
    a.on('joinroom', (room: string) => sparkEvents.push(['joinroom', room]));
    a.on('leaveallrooms', (list: string[]) => sparkEvents.push(['leaveallrooms', list]));
    a.join(['one', 'two']);
    b.join('two');
    b.leave('two');
    const service = roomsOf(env.kernel);
    expect(await service.clients(['one', 'two'])).toEqual([a.id]);
    const ended = once(env.kernel, 'disconnection');
    clientA.end();
    await ended;
    expect([...a.rooms]).toEqual([]);
    expect(service.table.members.size).toBe(0);
    expect(await service.rooms()).toEqual([]);
    expect(sparkEvents).toEqual([['joinroom', 'one'], ['joinroom', 'two'], ['leaveallrooms', ['one', 'two']]]);
    expect(kernelEvents).toEqual([
      ['joinroom', 'one', 'a'],
      ['joinroom', 'two', 'a'],
      ['joinroom', 'two', 'b'],
      ['leaveroom', 'two', 'b'],
      ['leaveallrooms', ['one', 'two'], 'a'],
    ]);
    // An ended spark cannot rejoin (it would never leave again).
    a.join('three');
    expect(service.table.members.has('three')).toBe(false);
  });

  test('membership queries: Promise and callback forms', async () => {
    const env = await start();
    const [[, a], [, b]] = await connect(env, 2);
    a.join(['news', 'sport']);
    b.join('news');
    const service = roomsOf(env.kernel);
    expect((await service.room('news').clients()).sort()).toEqual([a.id, b.id].sort());
    const viaCallback = await new Promise((resolve, reject) =>
      service.room('sport').clients((err, ids) => (err ? reject(err) : resolve(ids))),
    );
    expect(viaCallback).toEqual([a.id]);
    expect((await service.rooms()).sort()).toEqual(['news', 'sport']);
    expect(await service.rooms(a)).toEqual(['news', 'sport']);
    expect(await service.rooms(b.id)).toEqual(['news']);
    expect(await service.isRoomEmpty('news')).toBe(false);
    expect(await service.isRoomEmpty('art')).toBe(true);
    expect(service.room('news').sparks().map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    service.leave([a.id, b], 'news');
    expect(await service.isRoomEmpty('news')).toBe(true);
    service.join([a, b.id], 'art');
    expect((await service.room('art').clients()).length).toBe(2);
    service.room('art').empty();
    expect(await service.isRoomEmpty('art')).toBe(true);
  });

  test('bad room names and too many rooms are refused with codes, to the callback or thrown', async () => {
    const env = await start((k) => void k.use(rooms, { maxRoomsPerSpark: 2, maxRoomName: 8 }));
    const [[, a]] = await connect(env, 1);
    expect(() => a.join('')).toThrow(expect.objectContaining({ code: 'ALLSPARK_ROOM_INVALID' }));
    expect(() => a.join('123456789')).toThrow(expect.objectContaining({ code: 'ALLSPARK_ROOM_INVALID' }));
    a.join(['r1', 'r2']);
    const errors: unknown[] = [];
    a.on('roomserror', (err: { code: string }) => errors.push(err.code));
    const err = await new Promise<{ code: string; message: string } | null>((resolve) => a.join('r3', resolve));
    expect(err?.code).toBe('ALLSPARK_ROOMS_LIMIT');
    expect(err?.message).toBe(`Spark ${a.id} is already in 2 rooms (maxRoomsPerSpark); it cannot join "r3"`);
    expect(errors).toEqual(['ALLSPARK_ROOMS_LIMIT']);
    expect([...a.rooms]).toEqual(['r1', 'r2']);
  });

  test('with outgoing transforms, each member gets the message through them', async () => {
    const env = await start((k) => {
      k.use(rooms);
      k.use(definePlugin({ name: 'shout', server: (ctx) => void ctx.hook('onSend', (_s, p) => void (p.data = String(p.data).toUpperCase())) }));
    });
    const pairs = await connect(env, 2);
    for (const [, s] of pairs) s.join('r');
    const got = record(pairs);
    roomsOf(env.kernel).room('r').write('hey');
    await Promise.all(pairs.map(([c]) => once(c, 'data')));
    expect(got).toEqual([['HEY'], ['HEY']]);
  });

  test('roomsOf without the plugin says how to fix it', async () => {
    const env = await start(() => undefined);
    expect(() => roomsOf(env.kernel)).toThrow(
      expect.objectContaining({ code: 'ALLSPARK_PLUGIN_DEPENDENCY', message: 'The rooms plugin is not in use: kernel.use(rooms) first' }),
    );
  });
});

describe('rooms on the Primus facade', () => {
  test('roomsOf(primus).room(name).write reaches the real Primus 8 client and ours', async () => {
    const http = await httpServer();
    const primus = new Primus(http, { transformer: 'websockets' });
    primus.kernel.use(rooms);
    const PrimusV8 = require('primus');
    const V8Socket = PrimusV8.createSocket({ transformer: 'websockets' });
    const sparks: Spark[] = [];
    primus.on('connection', (spark: Spark) => {
      sparks.push(spark);
      spark.join('lobby');
    });
    const clients = [new V8Socket(urlOf(http)), new primus.Socket(urlOf(http))];
    try {
      await Promise.all(clients.map((c) => once(c, 'open')));
      while (sparks.length < 2) await delay(5);
      const got = Promise.all(clients.map((c) => once(c, 'data')));
      roomsOf(primus).room('lobby').write({ to: 'lobby' });
      expect(await got).toEqual([{ to: 'lobby' }, { to: 'lobby' }]);
      const second = once(clients[1], 'data');
      roomsOf(primus).in('lobby').except(sparks[0].id).write('only ours');
      expect(await second).toBe('only ours');
    } finally {
      for (const c of clients) c.end();
      await new Promise<void>((r) => primus.destroy(() => r()));
    }
  });
});

describe('rooms across nodes (in-process broker)', () => {
  async function cluster(bus: MemoryBus, queryTimeout: number): Promise<Env[]> {
    return Promise.all(['A', 'B', 'C'].map((id) => start((k) => void k.use(bus.plugin(id)).use(rooms, { queryTimeout }))));
  }

  // Queries over plain pub/sub wait their timeout; with a counted publish or native requests they end
  // with the last answer (their timeout is longer than the test's, so waiting for it would fail the test).
  test.each([
    ['plain publish/subscribe', {}, 300],
    ['counted publishes', { counted: true }, 60_000],
    ['native requests', { requests: true }, 60_000],
  ] as const)('join on A, write from B, delivery on C and A; only nodes with members subscribe; queries over %s', async (_name, bus_options, queryTimeout) => {
    const bus = new MemoryBus(bus_options);
    const [A, B, C] = await cluster(bus, queryTimeout);
    const [[clientA, a]] = await connect(A, 1);
    const [[clientC, c], [clientC2, c2]] = await connect(C, 2);
    a.join('news');
    c.join(['news', 'sport']);
    c2.join('sport');
    expect(bus.nodesOn('room:news').sort()).toEqual(['A', 'C']);
    expect(bus.nodesOn('room:sport')).toEqual(['C']);
    const got = record([[clientA, a], [clientC, c], [clientC2, c2]]);
    roomsOf(B.kernel).room(['news', 'sport']).except(c2.id).write({ from: 'B' });
    await Promise.all([once(clientA, 'data'), once(clientC, 'data')]);
    await delay(30);
    expect(got).toEqual([[{ from: 'B' }], [{ from: 'B' }], []]);
    expect((await roomsOf(B.kernel).room('news').clients()).sort()).toEqual([a.id, c.id].sort());
    expect((await roomsOf(A.kernel).rooms()).sort()).toEqual(['news', 'sport']);
    expect(await roomsOf(B.kernel).isRoomEmpty('sport')).toBe(false);
    c.leave('news');
    expect(bus.nodesOn('room:news')).toEqual(['A']);
    clientA.end();
    await once(A.kernel, 'disconnection');
    expect(bus.nodesOn('room:news')).toEqual([]);
  });

  test('past maxPendingQueries a cluster-wide query is refused with ALLSPARK_ROOMS_QUERY_LIMIT, never answered from local data', async () => {
    // Plain publish/subscribe: each query waits its whole timeout, so they pile up.
    const bus = new MemoryBus();
    const [A, B] = await Promise.all(['A', 'B'].map((id) => start((k) => void k.use(bus.plugin(id)).use(rooms, { queryTimeout: 300, maxPendingQueries: 2 }))));
    const [[, b]] = await connect(B, 1);
    const [[, a]] = await connect(A, 1);
    b.join('news');
    a.join('news');
    const r = roomsOf(A.kernel);
    const first = r.room('news').clients();
    const second = r.rooms();
    expect(r.pendingQueries).toBe(2);
    const message = 'Membership query refused: 2 cluster-wide queries wait for other nodes already (maxPendingQueries)';
    const refused = (await r.room('news').clients().catch((err: unknown) => err)) as AllsparkError;
    expect(refused).toBeInstanceOf(AllsparkError);
    expect([refused.code, refused.message]).toEqual(['ALLSPARK_ROOMS_QUERY_LIMIT', message]);
    const viaCallback = await new Promise<Error | null>((resolve) => r.room('news').clients((err) => resolve(err)));
    expect((viaCallback as AllsparkError).code).toBe('ALLSPARK_ROOMS_QUERY_LIMIT');
    expect(((await r.isRoomEmpty('sport').catch((err: unknown) => err)) as AllsparkError).code).toBe('ALLSPARK_ROOMS_QUERY_LIMIT');
    // The queries that were let in answer in full.
    expect((await first).sort()).toEqual([a.id, b.id].sort());
    expect(await second).toEqual(['news']);
    expect(r.pendingQueries).toBe(0);
    expect((await r.room('news').clients()).sort()).toEqual([a.id, b.id].sort());
  });
});
