// Primus plugins from npm on the Primus facade, as their users run them: the
// server half on our server, the client half on our Node client and on the
// real Primus 8 client (its library built by primus itself).
import type { Server } from 'node:http';
import { Primus, type Spark } from '../index';
import { httpServer, once, collect, urlOf, closeServer } from './helpers/net';

const PrimusV8 = require('primus');

type AnyClient = { on(e: string, f: (...a: any[]) => void): unknown; end(): unknown; destroy?(): unknown; [k: string]: any };
type Peer = 'allspark client' | 'Primus 8 client';

// What these npm plugins add, typed the way a TypeScript user of them would: by augmentation.
declare module '../index' {
  interface SparkEvents {
    hello: unknown[];
    welcome: [payload: { n: number }];
    news: [data: string, ack: (reply: string) => void];
    request: [data: string, done: (reply: string) => void];
  }
  interface PrimusEvents {
    joinroom: [room: string, spark: Spark];
  }
}

const PLUGINS = {
  emit: require('primus-emit'),
  rooms: require('primus-rooms'),
  emitter: require('primus-emitter'),
  responder: require('primus-responder'),
  substream: require('substream'),
  multiplex: require('primus-multiplex'),
  'omega-supreme': require('omega-supreme'),
};

describe('Primus plugins from npm', () => {
  let http: Server;
  let primus: Primus | undefined;
  const clients: AnyClient[] = [];

  async function start(plugins: Array<keyof typeof PLUGINS>, options: Record<string, unknown> = {}): Promise<void> {
    http = await httpServer();
    primus = new Primus(http, { transformer: 'websockets', ...options });
    for (const name of plugins) primus.plugin(name, PLUGINS[name]);
  }

  function client(peer: Peer, plugins: Array<keyof typeof PLUGINS>): AnyClient {
    const Socket =
      peer === 'allspark client'
        ? primus!.Socket
        : PrimusV8.createSocket({ transformer: 'websockets', plugin: Object.fromEntries(plugins.map((n) => [n, PLUGINS[n]])) });
    const c = new Socket(urlOf(http)) as AnyClient;
    clients.push(c);
    return c;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.end();
    if (primus) await new Promise<void>((r) => primus!.destroy(() => r()));
    primus = undefined;
    await closeServer(http).catch(() => undefined);
  });

  describe.each<Peer>(['allspark client', 'Primus 8 client'])('with the %s', (peer) => {
    test('primus-emit: events both ways', async () => {
      await start(['emit']);
      const sparkGot = new Promise<unknown[]>((resolve) =>
        primus!.on('connection', (spark: Spark) => {
          spark.on('hello', (...args: unknown[]) => {
            resolve(args);
            spark.emit('welcome', { n: 1 });
          });
        }),
      );
      const c = client(peer, ['emit']);
      c.on('open', () => c.emit('hello', 1, 'two'));
      const welcome = once<{ n: number }>(c as never, 'welcome');
      expect(await sparkGot).toEqual([1, 'two']);
      expect(await welcome).toEqual({ n: 1 });
    });

    test('primus-rooms: join, room broadcasts, joinroom events', async () => {
      await start(['rooms']);
      const joined: string[] = [];
      primus!.on('joinroom', (room: string) => joined.push(room));
      let sparks = 0;
      const allJoined = new Promise<void>((resolve) =>
        primus!.on('connection', (spark) => {
          const rooms = spark as Spark & { join(room: string, fn: () => void): void };
          spark.on('data', (d) => rooms.join((d as { join: string }).join, () => ++sparks === 3 && resolve()));
        }),
      );
      const members = ['news', 'news', 'sport'].map((room) => {
        const c = client(peer, ['rooms']);
        c.on('open', () => c.write({ join: room }));
        return c;
      });
      await allJoined;
      const got: Array<[number, unknown]> = [];
      members.forEach((c, i) => c.on('data', (d: unknown) => got.push([i, d])));
      (primus as unknown as { room(name: string): { write(d: unknown): void } }).room('news').write('extra!');
      (primus as unknown as { room(name: string): { write(d: unknown): void } }).room('sport').write('goal!');
      while (got.length < 3) await new Promise((r) => setTimeout(r, 5));
      expect(got.sort()).toEqual([[0, 'extra!'], [1, 'extra!'], [2, 'goal!']]);
      expect(joined.sort()).toEqual(['news', 'news', 'sport']);
    });

    test('primus-emitter with primus-responder: send with ack, request/response', async () => {
      await start(['emitter', 'responder']);
      primus!.on('connection', (sparkOf) => {
        const spark = sparkOf as Spark & { send(ev: string, d: unknown): void };
        spark.on('news', (data: string, ack: (reply: string) => void) => ack(`got ${data}`));
        spark.on('request', (data: string, done: (reply: string) => void) => done(`answer:${data}`));
        spark.send('hello', { a: 1 });
      });
      const c = client(peer, ['emitter', 'responder']);
      expect(await once(c as never, 'hello')).toEqual({ a: 1 });
      const ack = await new Promise((resolve) => c.send('news', 'x', resolve));
      expect(ack).toBe('got x');
      const response = await new Promise((resolve) => c.writeAndWait('q1', resolve));
      expect(response).toBe('answer:q1');
    });

    test('substream: named streams over one connection, each with its own data', async () => {
      await start(['substream']);
      primus!.on('connection', (sparkOf) => {
        const spark = sparkOf as Spark & { substream(name: string): AnyClient };
        for (const name of ['foo', 'bar']) {
          const stream = spark.substream(name);
          stream.on('data', (d: string) => stream.write(`${name}:${d}`));
        }
      });
      const c = client(peer, ['substream']);
      const foo = c.substream('foo');
      const bar = c.substream('bar');
      const replies = Promise.all([once(foo, 'data'), once(bar, 'data')]);
      foo.write('ping');
      bar.write('pong');
      expect(await replies).toEqual(['foo:ping', 'bar:pong']);
    });

    test('primus-multiplex: channels with their own connection events', async () => {
      await start(['multiplex']);
      const news = (primus as unknown as { channel(name: string): AnyClient }).channel('news');
      news.on('connection', (spark: Spark) => spark.on('data', (d) => spark.write(`news:${d}`)));
      const c = client(peer, ['multiplex']);
      const channel = c.channel('news');
      const reply = once(channel, 'data');
      channel.write('hi');
      expect(await reply).toBe('news:hi');
    });
  });

  test('omega-supreme: forward() reaches the server over HTTP through its middleware layer', async () => {
    await start(['omega-supreme'], { password: 'secret' });
    const c = client('allspark client', []);
    await once(c as never, 'open');
    const got = collect(c as never, 'data', 2);
    const forward = (primus as unknown as { forward(url: string, msg: unknown, fn: (err: Error | null, r: unknown) => void): void }).forward;
    // Forwarding to this very server: omega-supreme broadcasts locally, then the authorized
    // PUT reaches its middleware layer here and broadcasts again.
    const reply = await new Promise((resolve, reject) =>
      forward.call(primus, urlOf(http), { hello: 'world' }, (err, r) => (err ? reject(err) : resolve(r))),
    );
    expect(await got).toEqual([{ hello: 'world' }, { hello: 'world' }]);
    expect(reply).toMatchObject({ ok: true });
  });
});

describe('Primus plugins from npm: our client against a real Primus 8 server', () => {
  let http: Server;
  let server: any;
  const clients: AnyClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end();
    await new Promise<void>((resolve) => server.destroy({ close: true }, resolve));
  });

  test('primus-emitter and substream', async () => {
    http = await httpServer();
    server = new PrimusV8(http, { transformer: 'websockets' });
    server.plugin('emitter', PLUGINS.emitter);
    server.plugin('substream', PLUGINS.substream);
    server.on('connection', (spark: any) => {
      spark.on('news', (data: string, ack: (reply: string) => void) => ack(`got ${data}`));
      const foo = spark.substream('foo');
      foo.on('data', (d: string) => foo.write(`foo:${d}`));
    });
    const Socket = Primus.createSocket({ transformer: 'websockets', plugin: { emitter: PLUGINS.emitter, substream: PLUGINS.substream } });
    const c = new Socket(urlOf(http)) as unknown as AnyClient;
    clients.push(c);
    const foo = c.substream('foo');
    const echoed = once(foo, 'data');
    foo.write('ping');
    expect(await echoed).toBe('foo:ping');
    expect(await new Promise((resolve) => c.send('news', 'x', resolve))).toBe('got x');
  });
});
