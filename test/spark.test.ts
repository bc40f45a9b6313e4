import { PassThrough, Readable, Writable } from 'node:stream';
import WebSocket from 'ws';
import { definePlugin, Slots, ErrorCodes, Spark, type Kernel } from '../index';
import { jsonParser } from '../plugins/json-parser';
import { startKernel, stopAll } from './helpers/kernel';
import { once, onceArgs, collect, delay } from './helpers/net';

type Env = Awaited<ReturnType<typeof startKernel>>;

type Raw = WebSocket & { frames: string[]; nextFrame(): Promise<string> };

/** A raw ws client that records every frame from the start (frames can share a packet with the 101). */
function rawSocket(env: Env, query = ''): Promise<Raw> {
  const ws = new WebSocket(env.url.replace('http', 'ws') + '/primus' + query) as Raw;
  ws.frames = [];
  ws.on('message', (data) => ws.frames.push(String(data)));
  ws.nextFrame = async () => {
    const seen = ws.frames.length;
    while (ws.frames.length === seen) await delay(2);
    return ws.frames[seen];
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function echo(kernel: Kernel): void {
  kernel.on('connection', (spark) => spark.on('data', (d: unknown) => spark.write(d)));
}

describe('Spark', () => {
  let env: Env | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await stopAll(env);
    env = undefined;
  });

  test('echoes strings, objects, unicode and a 1 MB payload', async () => {
    env = await startKernel(echo);
    const c = env.client();
    const big = 'x'.repeat(1 << 20);
    const values = ['hi', { a: [1, 2, { b: null }] }, 'ünïcødé ✓ \u2028 😀', big];
    const got = collect(c, 'data', values.length);
    for (const v of values) c.write(v);
    expect(await got).toEqual(values);
  });

  test('id, headers, query and address describe the connection', async () => {
    let seen: Spark | undefined;
    env = await startKernel((k) => k.on('connection', (s) => (seen = s)));
    const connected = once(env.kernel, 'connection');
    const c = env.client({}, '?room=a&room=b&x=1');
    await connected;
    const spark = seen!;
    expect(spark.id).toMatch(/^[\w-]{21}$/);
    // Primus clients keep the first of duplicate keys when they build the URL (spec §1.2).
    expect(spark.query.room).toBe('a');
    expect(spark.query.x).toBe('1');
    expect(typeof spark.query._primuscb).toBe('string');
    expect(spark.headers.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(spark.address.ip).toBe('127.0.0.1');
    expect(spark.address.port).toBeGreaterThan(0);
    const id = await new Promise<string>((r) => c.id(r));
    expect(id).toBe(spark.id);
  });

  test('idGenerator sets spark ids', async () => {
    let n = 0;
    const { createKernel } = await import('../index');
    const { websockets } = await import('../transformers/websockets');
    const { jsonParserPlugin } = await import('../plugins/json-parser');
    const kernel = createKernel({ idGenerator: () => `spark-${++n}` }).use(websockets).use(jsonParserPlugin);
    const server = await kernel.listen(0);
    const connected = once<Spark>(kernel, 'connection');
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}/primus`);
    sockets.push(ws);
    const spark = await connected;
    expect(spark.id).toBe('spark-1');
    await kernel.close();
  });

  test('a frame that is not JSON: error event, connection kept, other sparks unaffected', async () => {
    const errors: Error[] = [];
    env = await startKernel((k) => {
      echo(k);
      k.on('connection', (s) => s.on('error', (e: Error) => errors.push(e)));
    });
    const other = env.client();
    await once(other, 'open');
    const ws = await rawSocket(env);
    sockets.push(ws);
    const logged = onceArgs<[string, Error & { code: string }]>(env.kernel, 'log');
    ws.send('{not json');
    const [, err] = await logged;
    expect(err.code).toBe(ErrorCodes.PARSE);
    expect(err.message).toMatch(/^Failed to decode incoming data: /);
    const reply = ws.nextFrame();
    ws.send(JSON.stringify('still here'));
    expect(JSON.parse(await reply)).toBe('still here');
    expect(errors).toHaveLength(1);
    other.write('me too');
    expect(await once(other, 'data')).toBe('me too');
  });

  test('a frame over maxLength closes that connection and logs why', async () => {
    env = await startKernel(echo, { maxLength: 1000 });
    const other = env.client();
    await once(other, 'open');
    const ws = await rawSocket(env);
    sockets.push(ws);
    const logged = onceArgs<[string, Error & { code: string }]>(env.kernel, 'log');
    const closed = once<number>(ws, 'close');
    ws.send(JSON.stringify('y'.repeat(2000)));
    const [level, err] = await logged;
    expect(level).toBe('error');
    expect(err.code).toBe(ErrorCodes.MAX_LENGTH);
    expect(await closed).toBe(1009);
    other.write('fine');
    expect(await once(other, 'data')).toBe('fine');
  });

  test('write reports backpressure and drain follows', async () => {
    let spark: Spark | undefined;
    env = await startKernel();
    const connected = once<Spark>(env.kernel, 'connection');
    const ws = await rawSocket(env);
    sockets.push(ws);
    spark = await connected;
    ws.pause(); // stop reading so the server's buffer fills
    const chunk = 'z'.repeat(64 * 1024);
    let writes = 0;
    while (spark!.write(chunk) && writes < 1000) writes++;
    expect(writes).toBeLessThan(1000);
    const drained = once(spark!, 'drain');
    ws.resume();
    await drained;
    expect(spark!.write('ok')).toBe(true);
  });

  test('write after end returns false; end(data) sends data, then the close message', async () => {
    env = await startKernel((k) =>
      k.on('connection', (s) => {
        s.end('bye');
        expect(s.write('late')).toBe(false);
        expect(s.readyState).toBe(Spark.CLOSED);
      }),
    );
    const ws = await rawSocket(env);
    sockets.push(ws);
    while (ws.frames.length < 2) await delay(2);
    expect(ws.frames).toEqual(['"bye"', '"primus::server::close"']);
  });

  test('stream compatible: readable.pipe(spark) and spark.pipe(writable)', async () => {
    const sink: unknown[] = [];
    env = await startKernel((k) =>
      k.on('connection', (spark) => {
        spark.pipe(
          new Writable({
            objectMode: true,
            write(chunk, _enc, cb) {
              sink.push(chunk);
              // Once both client messages came through, stream three back and end.
              // A legacy Stream: writable at run time, though not a `WritableStream` to TypeScript.
              if (sink.length === 2) Readable.from(['a', 'b', 'c']).pipe(spark as unknown as NodeJS.WritableStream);
              cb();
            },
          }),
        );
      }),
    );
    const c = env.client();
    const got = collect(c, 'data', 3);
    const ended = once(c, 'end');
    c.write('x');
    c.write({ y: 1 });
    expect(await got).toEqual(['a', 'b', 'c']);
    expect(sink).toEqual(['x', { y: 1 }]);
    await ended; // the readable ended, so did the spark (no reconnect)
  });

  test('broadcast encodes once for all sparks', async () => {
    let encodes = 0;
    const counting = definePlugin({
      name: 'counting-json',
      server: (ctx) =>
        ctx.provide(Slots.parser, {
          ...jsonParser,
          encode(d: unknown) {
            encodes++;
            return jsonParser.encode(d);
          },
        }),
      client: (client) => {
        client.parser = jsonParser;
      },
    });
    const { createKernel, clientFor } = await import('../index');
    const { websockets } = await import('../transformers/websockets');
    const kernel = createKernel().use(websockets).use(counting);
    const server = await kernel.listen(0);
    const Socket = clientFor(kernel);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const clients = Array.from({ length: 5 }, () => new Socket(url));
    await Promise.all(clients.map((c) => once(c, 'open')));
    while (kernel.connected < 5) await delay(5);
    const got = Promise.all(clients.map((c) => once(c, 'data')));
    encodes = 0;
    kernel.write({ news: 1 });
    expect(await got).toEqual(Array(5).fill({ news: 1 }));
    expect(encodes).toBe(1);
    clients.forEach((c) => c.destroy());
    await kernel.close();
  });

  test('broadcast frames of every length class arrive intact, compressed connections included', async () => {
    const { createKernel, clientFor } = await import('../index');
    const { websockets } = await import('../transformers/websockets');
    const { jsonParserPlugin } = await import('../plugins/json-parser');
    const kernel = createKernel().use(websockets, { compression: true }).use(jsonParserPlugin);
    const server = await kernel.listen(0);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const Socket = clientFor(kernel);
    const ours = new Socket(url);
    const plain = new WebSocket(url.replace('http', 'ws') + '/primus', { perMessageDeflate: false });
    const deflate = new WebSocket(url.replace('http', 'ws') + '/primus');
    sockets.push(plain, deflate);
    const frames = { plain: [] as string[], deflate: [] as string[] };
    plain.on('message', (d) => frames.plain.push(String(d)));
    deflate.on('message', (d) => frames.deflate.push(String(d)));
    await Promise.all([once(ours, 'open'), once(plain, 'open'), once(deflate, 'open')]);
    while (kernel.connected < 3) await delay(5);
    const values = ['s', 'm'.repeat(200), 'l'.repeat(70_000)];
    const got = collect(ours, 'data', 3);
    for (const v of values) kernel.write(v);
    expect(await got).toEqual(values);
    while (frames.plain.length < 3 || frames.deflate.length < 3) await delay(5);
    expect(frames.plain.map((f) => JSON.parse(f))).toEqual(values);
    expect(frames.deflate.map((f) => JSON.parse(f))).toEqual(values);
    ours.destroy();
    await kernel.close();
  });

  test('unknown primus:: messages are data; a client cannot fake a close', async () => {
    const got: unknown[] = [];
    env = await startKernel((k) => k.on('connection', (s) => s.on('data', (d: unknown) => got.push(d))));
    const ws = await rawSocket(env);
    sockets.push(ws);
    ws.send(JSON.stringify('primus::server::close'));
    ws.send(JSON.stringify('primus::custom::x'));
    ws.send(JSON.stringify('done'));
    while (got.length < 3) await delay(5);
    expect(got).toEqual(['primus::server::close', 'primus::custom::x', 'done']);
    expect(env.kernel.connected).toBe(1);
  });

  test('a PassThrough piped through the spark keeps order', async () => {
    env = await startKernel(echo);
    const c = env.client();
    const pass = new PassThrough({ objectMode: true });
    pass.on('data', (d) => c.write(d));
    const got = collect(c, 'data', 50);
    for (let i = 0; i < 50; i++) pass.write(i);
    expect(await got).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
