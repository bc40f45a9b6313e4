import type { Page } from 'playwright-core';
import type { Spark } from '../../core/spark';
import { useBrowser, useServerAndContext, startServer, openPage, waitForEvent, eventNames, next, type TestServer } from './helpers';

const chromium = useBrowser();
const env = useServerAndContext();

/** A server that echoes every message back to its sender. */
async function echoServer(options: Record<string, unknown> = {}): Promise<TestServer> {
  return startServer(options, (primus) => {
    primus.on('connection', (spark: Spark) => spark.on('data', (data: unknown) => spark.write(data)));
  });
}

async function connect(url: string): Promise<Page> {
  const opened = await openPage(chromium.browser, url);
  env.context = opened.context;
  const page = opened.page;
  await page.evaluate(() => {
    const w = window as any;
    w.client = w.track(new w.Primus());
  });
  await waitForEvent(page, 'open');
  return page;
}

describe('the served library in Chromium', () => {
  it('defines the Primus global: a class with statics, usable with and without new', async () => {
    env.srv = await echoServer();
    const opened = await openPage(chromium.browser, env.srv.url);
    env.context = opened.context;
    const shape = await opened.page.evaluate(() => {
      const P = (window as any).Primus;
      const a = new P({ manual: true });
      const b = P({ manual: true });
      const c = P.connect({ manual: true });
      const result = {
        statics: [P.OPENING, P.CLOSED, P.OPEN],
        instances: [a instanceof P, b instanceof P, c instanceof P],
        readyState: a.readyState,
        pathname: a.pathname,
      };
      a.destroy();
      b.destroy();
      c.destroy();
      return result;
    });
    expect(shape).toEqual({ statics: [1, 2, 3], instances: [true, true, true], readyState: 2, pathname: '/primus' });
  });

  it('connects and echoes strings and objects', async () => {
    env.srv = await echoServer();
    const page = await connect(env.srv.url);
    await page.evaluate(() => {
      const client = (window as any).client;
      client.write('hello');
      client.write({ a: [1, 'x', null], nested: { b: true, n: -2.5 } });
    });
    const log = await waitForEvent(page, 'data', 2);
    expect(log.filter((e) => e.name === 'data').map((e) => e.value)).toEqual([
      'hello',
      { a: [1, 'x', null], nested: { b: true, n: -2.5 } },
    ]);
    expect(env.srv.primus.connected).toBe(1);
  });

  it('runs a custom transformer written for Primus (Primus 8’s own websockets code) in the page', async () => {
    const { Primus } = await import('../../facade/primus');
    const PrimusWebSockets = Primus.Transformer.extend({
      server: require('primus/transformers/websockets/server'),
      client: require('primus/transformers/websockets/client'),
    });
    env.srv = await echoServer({ transformer: PrimusWebSockets });
    const page = await connect(env.srv.url);
    await page.evaluate(() => (window as any).client.write({ via: 'custom' }));
    const log = await waitForEvent(page, 'data');
    expect(log.filter((e) => e.name === 'data').map((e) => e.value)).toEqual([{ via: 'custom' }]);
    expect(env.srv.primus.spec.transformer).toBe('custom');
  });

  it('runs Primus plugins from npm in the page: primus-emitter and substream', async () => {
    env.srv = await startServer({}, (primus) => {
      primus.plugin('emitter', require('primus-emitter'));
      primus.plugin('substream', require('substream'));
      primus.on('connection', (spark: any) => {
        spark.on('news', (data: string, ack: (reply: string) => void) => ack(`got ${data}`));
        const foo = spark.substream('foo');
        foo.on('data', (d: string) => foo.write(`foo:${d}`));
      });
    });
    const page = await connect(env.srv.url);
    const replies = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const client = (window as any).client;
          const foo = client.substream('foo');
          foo.on('data', (d: string) => client.send('news', 'x', (ack: string) => resolve([d, ack])));
          foo.write('ping');
        }),
    );
    expect(replies).toEqual(['foo:ping', 'got x']);
  });

  it('answers heartbeats, so the server keeps the connection', async () => {
    env.srv = await startServer({ pingInterval: 100 });
    const spark = next<Spark>(env.srv.primus, 'connection');
    const page = await connect(env.srv.url);
    // Three pongs: an unanswered ping would have ended the spark on the next tick.
    const pongs = await next<number>((await spark)[0], 'incoming::pong', 3);
    expect(pongs.every((stamp) => typeof stamp === 'number' && stamp > 0)).toBe(true);
    expect(env.srv.primus.connected).toBe(1);
    expect(await eventNames(page)).toEqual(['open']);
  });

  it('ends without reconnecting when the server ends the spark', async () => {
    env.srv = await echoServer();
    const sparks: Spark[] = [];
    env.srv.primus.on('connection', (spark: Spark) => sparks.push(spark));
    const page = await connect(env.srv.url);
    sparks[0].end('bye');
    const log = await waitForEvent(page, 'end');
    expect(log.map((e) => e.name)).toEqual(['open', 'data', 'close', 'end']);
    expect(log[1].value).toBe('bye');
  });
});

describe.each([
  ['binary', 'binary-parser', [0x82, 0xb1, 0x61, 0x01, 0xb1, 0x62, 0xb1, 0x78]],
  ['msgpack', 'msgpack-parser', [0x82, 0xa1, 0x61, 0x01, 0xa1, 0x62, 0xa1, 0x78]],
])('the %s parser in Chromium', (parser, plugin, wire) => {
  it('is in the library, speaks its wire format and echoes strings, objects and bytes', async () => {
    const raws: unknown[] = [];
    env.srv = await startServer({ parser }, (primus) => {
      primus.on('connection', (spark: Spark) =>
        spark.on('data', (data: unknown, raw: unknown) => {
          raws.push(raw);
          spark.write(data);
        }),
      );
    });
    // The library's first line lists the plugins it carries.
    expect(env.srv.primus.library().split('\n')[0]).toContain(` ${plugin},`);
    const page = await connect(env.srv.url);
    await page.evaluate(() => {
      const client = (window as any).client;
      client.write({ a: 1, b: 'x' });
      client.write('hello');
      client.write(new Uint8Array([0, 1, 254, 255]));
    });
    const log = await waitForEvent(page, 'data', 3);
    expect(log.filter((e) => e.name === 'data').map((e) => e.value)).toEqual([
      { a: 1, b: 'x' },
      'hello',
      { bytes: [0, 1, 254, 255] },
    ]);
    // The browser encodes exactly what Primus's clients put on the wire (spec §6).
    expect(Array.from(raws[0] as Uint8Array)).toEqual(wire);
  });
});
