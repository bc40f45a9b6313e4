/**
 * One suite, four transformers: the same cases run on websockets, faye,
 * engine.io and sockjs, with our Node client and with the real Primus 8
 * client against our server. Only the `transformer` option changes.
 */
import { CAPABILITIES, TRANSFORMERS, type TransformerName } from './capabilities';
import { destroy, next, nextSpark, ours, real, start, stop, take, until, type Env } from './harness';

const UNICODE = 'héllo wörld ✓ 日本語 😀 \u2028 \u2029 "quotes" \\ \n\t';
const ONE_MB = 'x'.repeat(1024 * 1024);

describe.each(TRANSFORMERS)('conformance: %s', (transformer: TransformerName) => {
  const caps = CAPABILITIES[transformer];
  let env: Env | undefined;

  afterEach(async () => {
    await stop(env);
    env = undefined;
  });

  const echoServer = async (options = {}) => {
    env = await start(transformer, options);
    env.primus.on('connection', (spark: any) => spark.on('data', (data: unknown) => spark.write(data)));
    return env;
  };

  /** Write each value and expect it back, in order. */
  const roundTrip = async (client: any, values: unknown[]) => {
    const received = take(client, 'data', values.length, 15000);
    for (const v of values) client.write(v);
    expect(await received).toEqual(values);
  };

  it('connects: `open` on the client, `connection` on the server, spark id in the transport format', async () => {
    env = await start(transformer);
    const sparks = take(env.primus, 'connection', 2);
    const a = ours(env);
    const b = real(env);
    await Promise.all([next(a, 'open'), next(b, 'open')]);
    const [s1, s2] = await sparks;
    expect(s1.id).toMatch(caps.idPattern);
    expect(s2.id).toMatch(caps.idPattern);
    expect(env.primus.connected).toBe(2);
    expect(env.primus.spec.transformer).toBe(transformer);
  });

  it('echoes strings, objects, unicode and a 1 MB message (our client and Primus 8)', async () => {
    await echoServer();
    const values = ['hello', { a: 1, b: [true, null, 'x'], c: { d: 'e' } }, UNICODE, 42, ONE_MB];
    const a = ours(env!);
    const b = real(env!);
    await Promise.all([roundTrip(a, values), roundTrip(b, values)]);
  });

  it('delivers a server push written in `connection`', async () => {
    env = await start(transformer);
    env.primus.on('connection', (spark: any) => spark.write({ welcome: spark.id }));
    const spark = nextSpark(env);
    const a = ours(env);
    const first = await next(a, 'data');
    expect(first).toEqual({ welcome: (await spark).id });
    const b = real(env);
    expect(Object.keys(await next(b, 'data'))).toEqual(['welcome']);
  });

  it('id() returns spark.id, also with an idGenerator (our client always asks the server)', async () => {
    let n = 0;
    env = await start(transformer, { idGenerator: () => `custom-${++n}` });
    const spark = nextSpark(env);
    const a = ours(env);
    const id = await new Promise<string>((resolve) => a.id(resolve));
    expect(id).toBe('custom-1');
    expect((await spark).id).toBe('custom-1');
  });

  it('id() of the Primus 8 client matches spark.id', async () => {
    env = await start(transformer);
    const spark = nextSpark(env);
    const b = real(env);
    await next(b, 'open');
    const id = await new Promise<string>((resolve) => b.id(resolve));
    expect(id).toBe((await spark).id);
  });

  it('gives the spark query, headers and address of the connecting request', async () => {
    env = await start(transformer);
    const spark = nextSpark(env);
    const header = caps.headerOption!('x-conformance', transformer);
    ours(env, { transport: header }, '/ignored/path?room=lobby&room=other&flag');
    const s = await spark;
    // The client keeps the first of duplicate keys and adds a cache-buster (spec §1.2).
    expect(s.query.room).toBe('lobby');
    expect(s.query.flag).toBe('');
    expect(typeof s.query._primuscb).toBe('string');
    expect(s.headers.host).toBe(`127.0.0.1:${env.port}`);
    expect(s.headers['x-conformance']).toBe(transformer);
    expect(s.address.ip).toBe('127.0.0.1');
    expect(s.address.port).toBeGreaterThan(0);
    expect(s.address.secure).toBe(false);
    // Plain data: no request objects or circular keys among the headers (spec §7.6).
    expect(() => JSON.stringify(s.headers)).not.toThrow();
    expect(Object.keys(s.headers).filter((k) => k === '_via' || k.startsWith('primus::'))).toEqual([]);
  });

  it('keeps heartbeats going over several short intervals, both sides alive', async () => {
    env = await start(transformer, { pingInterval: 120 });
    const sparks = take(env.primus, 'connection', 2);
    const a = ours(env);
    const b = real(env);
    const ended: string[] = [];
    a.on('close', () => ended.push('ours'));
    b.on('close', () => ended.push('primus'));
    const [s1, s2] = await sparks;
    const pongs = Promise.all([take(s1, 'heartbeat', 4, 5000), take(s2, 'heartbeat', 4, 5000)]);
    const pings = Promise.all([take(a, 'incoming::ping', 4, 5000), take(b, 'incoming::ping', 4, 5000)]);
    await Promise.all([pongs, pings]);
    expect(ended).toEqual([]);
    expect(env.primus.connected).toBe(2);
    expect(a.readyState).toBe(3);
  });

  it('spark.end() ends the client for good: `end`, no reconnect', async () => {
    env = await start(transformer);
    const sparks = take(env.primus, 'connection', 2);
    const a = ours(env);
    const b = real(env);
    const [s1, s2] = await sparks;
    const errors: unknown[] = [];
    a.on('error', (e: unknown) => errors.push(e));
    b.on('error', (e: unknown) => errors.push(e));
    const ends = [next(a, 'end'), next(b, 'end')];
    s1.end();
    s2.end();
    await Promise.all(ends);
    // A normal end is not an error (SockJS: closed with 1000, which Primus 8 clients do not report).
    expect(errors).toEqual([]);
    expect(a.readyState).toBe(2);
    expect(a.recovery.reconnecting).toBe(false);
    expect(b.readyState).toBe(2);
    expect(b.recovery.reconnecting()).toBe(false);
    expect(env.primus.connected).toBe(0);
  });

  it('spark.end(data, { reconnect: true }) delivers the data, then the client reconnects', async () => {
    env = await start(transformer);
    const first = take(env.primus, 'connection', 2);
    const a = ours(env);
    const b = real(env);
    const [s1, s2] = await first;
    const lastA = next(a, 'data');
    const lastB = next(b, 'data');
    const again = take(env.primus, 'connection', 2);
    const reopened = Promise.all([next(a, 'reconnected'), next(b, 'reconnected')]);
    s1.end('bye', { reconnect: true });
    s2.end('bye', { reconnect: true });
    expect(await lastA).toBe('bye');
    expect(await lastB).toBe('bye');
    await reopened;
    const [t1, t2] = await again;
    expect([t1.id, t2.id]).not.toContain(s1.id);
    expect(env.primus.connected).toBe(2);
  });

  it('survives a server restart on the same port; writes queued while down arrive', async () => {
    env = await start(transformer);
    const port = env.port;
    const first = take(env.primus, 'connection', 2);
    const a = ours(env);
    const b = real(env);
    await first;
    const clients = env.clients.splice(0);
    const closed = Promise.all([next(a, 'close'), next(b, 'close')]);
    await destroy(env.primus, { reconnect: true });
    await closed;
    a.write({ queued: 1, from: 'ours' });
    a.write({ queued: 2, from: 'ours' });
    b.write({ queued: 1, from: 'primus' });
    env = await start(transformer, {}, port);
    env.clients.push(...clients);
    const got: unknown[] = [];
    const delivered = new Promise<void>((resolve) => {
      env!.primus.on('connection', (spark: any) =>
        spark.on('data', (data: unknown) => {
          got.push(data);
          if (got.length === 3) resolve();
        }),
      );
    });
    await delivered;
    expect(got.filter((d: any) => d.from === 'ours')).toEqual([
      { queued: 1, from: 'ours' },
      { queued: 2, from: 'ours' },
    ]);
    expect(got.filter((d: any) => d.from === 'primus')).toEqual([{ queued: 1, from: 'primus' }]);
    expect(a.readyState).toBe(3);
  });

  it('broadcasts kernel.write / primus.write to every client', async () => {
    env = await start(transformer);
    const sparks = take(env.primus, 'connection', 3);
    const clients = [ours(env), ours(env), real(env)];
    await sparks;
    const got = clients.map((c) => next(c, 'data'));
    env.primus.write({ all: true });
    expect(await Promise.all(got)).toEqual([{ all: true }, { all: true }, { all: true }]);
    const again = clients.map((c) => next(c, 'data'));
    env.primus.kernel.write('kernel');
    expect(await Promise.all(again)).toEqual(['kernel', 'kernel', 'kernel']);
  });

  it('destroy() ends every client without reconnect and closes the server', async () => {
    env = await start(transformer);
    const sparks = take(env.primus, 'connection', 2);
    const a = ours(env);
    const b = real(env);
    await sparks;
    const ends = Promise.all([next(a, 'end'), next(b, 'end')]);
    const destroyed = destroy(env.primus);
    await ends;
    await destroyed;
    expect(env.server.listening).toBe(false);
    expect(a.recovery.reconnecting).toBe(false);
    expect(b.recovery.reconnecting()).toBe(false);
    env.clients.length = 0;
  });

  it('a rejected authorization reaches the client as `error`, then `end`, with no reconnect loop', async () => {
    env = await start(transformer);
    let asked = 0;
    env.primus.authorize((_req: unknown, done: (err?: unknown) => void) => {
      asked++;
      done(Object.assign(new Error('nope'), { statusCode: 401 }));
    });
    const connections: unknown[] = [];
    env.primus.on('connection', (s: unknown) => connections.push(s));
    const a = ours(env);
    const errors: Error[] = [];
    a.on('error', (err: Error) => errors.push(err));
    await next(a, 'end');
    expect(errors.length).toBe(1);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(a.readyState).toBe(2);
    expect(a.recovery.reconnecting).toBe(false);
    const b = real(env, {}, '', { authorization: true });
    await next(b, 'end');
    expect(b.recovery.reconnecting()).toBe(false);
    expect(connections).toEqual([]);
    expect(asked).toBeGreaterThanOrEqual(2);
  });

  it('the user `transport` object is never written to', async () => {
    await echoServer();
    const transport = Object.freeze({ ...caps.headerOption!('x-frozen', '1') });
    const snapshot = JSON.stringify(transport);
    const a = ours(env!, { transport, websockets: false });
    await roundTrip(a, ['frozen']);
    expect(JSON.stringify(transport)).toBe(snapshot);
  });
});
