/**
 * The four transformers in headless Chromium, through the served library:
 * the same page code connects and echoes on each; with WebSocket removed
 * from the page (or `websockets: false`), engine.io and SockJS fall back to
 * HTTP, while websockets and faye report an error (they have no fallback).
 */
import type { Page } from 'playwright-core';
import type { Spark } from '../../core/spark';
import { CAPABILITIES, NO_HTTP_FALLBACK, TRANSFORMERS, type TransformerName } from '../conformance/capabilities';
import { useBrowser, useServerAndContext, next, startServer, waitForEvent, type TestServer } from './helpers';

const chromium = useBrowser();
const env = useServerAndContext();

/** The transport a spark runs on. */
function transportOf(transformer: TransformerName, spark: any): string {
  if (transformer === 'engine.io') return spark.socket.transport.name;
  if (transformer === 'sockjs') return spark.socket.protocol;
  return 'websocket';
}

async function echoServer(transformer: TransformerName): Promise<TestServer> {
  return startServer({ transformer, pingInterval: false }, (primus) => {
    primus.on('connection', (spark: Spark) => spark.on('data', (data: unknown) => spark.write(data)));
  });
}

/** Open the page, optionally without a WebSocket global, and connect a tracked client with `options`. */
async function connect(url: string, options: Record<string, unknown>, withoutWebSocket = false): Promise<Page> {
  env.context = await chromium.browser.newContext();
  if (withoutWebSocket) {
    // Before any page script runs, as in a browser (or a proxy) without WebSocket support.
    await env.context.addInitScript(() => {
      Object.defineProperty(window, 'WebSocket', { value: undefined, configurable: true, writable: true });
    });
  }
  const page = await env.context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as unknown as { Primus?: unknown }).Primus === 'function');
  await page.evaluate((o) => {
    const w = window as any;
    w.client = w.track(new w.Primus(o));
  }, options);
  return page;
}

/** Write each value from the page and wait for the echoes. */
async function echo(page: Page, values: unknown[]): Promise<unknown[]> {
  const before = (await page.evaluate(() => (window as any).events.filter((e: any) => e.name === 'data').length)) as number;
  await page.evaluate((vs) => vs.forEach((v) => (window as any).client.write(v)), values);
  const log = await waitForEvent(page, 'data', before + values.length, 15_000);
  return log.filter((e) => e.name === 'data').slice(before).map((e) => e.value);
}

const VALUES = ['hello', { nested: { list: [1, 'two', null] } }, 'ünïcödé ✓ 😀', 'z'.repeat(100_000)];

describe.each(TRANSFORMERS)('%s in Chromium', (transformer: TransformerName) => {
  const caps = CAPABILITIES[transformer];

  it('connects and echoes with the same page code', async () => {
    env.srv = await echoServer(transformer);
    const spark = next<Spark>(env.srv.primus as any, 'connection');
    const page = await connect(env.srv.url, {});
    await waitForEvent(page, 'open');
    expect(await echo(page, VALUES)).toEqual(VALUES);
    expect((await spark)[0].headers['user-agent']).toMatch(/HeadlessChrome|Chrome/);
  });

  if (caps.httpFallback) {
    it('falls back to HTTP when the page has no WebSocket', async () => {
      env.srv = await echoServer(transformer);
      const spark = next<Spark>(env.srv.primus as any, 'connection');
      const page = await connect(env.srv.url, {}, true);
      await waitForEvent(page, 'open');
      expect(await echo(page, VALUES)).toEqual(VALUES);
      expect(transportOf(transformer, (await spark)[0])).not.toBe('websocket');
      expect(await page.evaluate(() => typeof (window as any).WebSocket)).toBe('undefined');
    });

    it('avoids WebSocket with `websockets: false`', async () => {
      env.srv = await echoServer(transformer);
      const spark = next<Spark>(env.srv.primus as any, 'connection');
      const page = await connect(env.srv.url, { websockets: false });
      await waitForEvent(page, 'open');
      expect(await echo(page, VALUES.slice(0, 2))).toEqual(VALUES.slice(0, 2));
      expect(transportOf(transformer, (await spark)[0])).not.toBe('websocket');
    });
  } else {
    it(`cannot connect without WebSocket: ${NO_HTTP_FALLBACK}`, async () => {
      env.srv = await echoServer(transformer);
      const page = await connect(env.srv.url, { strategy: false }, true);
      const log = await waitForEvent(page, 'end');
      expect(log.map((e) => e.name)).toEqual(['error', 'end']);
      expect(env.srv.primus.connected).toBe(0);
    });
  }
});
