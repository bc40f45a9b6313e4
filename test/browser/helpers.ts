import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Primus } from '../../facade/primus';
import type { PrimusOptions } from '../../facade/options';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');
const CHUNKS = join(ROOT, 'dist', 'browser');

/** Newest modification time of the `.ts` files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Make sure `dist/browser` is built from the current sources: `npm test`
 * builds first, but `npx jest test/browser` alone would otherwise test
 * stale chunks. The build writes atomically, so parallel workers are safe.
 */
export async function ensureBrowserBuild(): Promise<void> {
  const core = join(CHUNKS, 'core.js');
  const sources = Math.max(
    ...['core', 'plugins', 'transformers'].map((d) => newestSource(join(ROOT, d))),
    // The build's own settings shape the chunks too.
    statSync(join(ROOT, 'scripts', 'build-browser.js')).mtimeMs,
  );
  if (existsSync(core) && statSync(core).mtimeMs >= sources) return;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { buildBrowser } = require('../../scripts/build-browser.js') as { buildBrowser: () => Promise<unknown> };
  await buildBrowser();
}

/**
 * Headless Chromium from Debian's package. Missing Chromium is a failure
 * with the fix in the message, never a skipped test.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (see .ci/run)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * The test page: loads the library and offers `track(client)`, which logs
 * every public client event into `window.events` as `{ name, value }`.
 */
export const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>allspark browser test</title>
<script src="/primus/primus.js"></script>
<script>
window.events = [];
/** Binary values as arrays of byte values, so they survive page.evaluate. */
function bytes(value) {
  if (value instanceof ArrayBuffer) return { bytes: Array.from(new Uint8Array(value)) };
  if (ArrayBuffer.isView(value)) return { bytes: Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  return value;
}
window.track = function (client) {
  ['open', 'close', 'end', 'offline', 'online', 'reconnect scheduled', 'reconnect', 'reconnected',
   'reconnect failed', 'error', 'data', 'timeout'].forEach(function (name) {
    client.on(name, function (value) {
      var entry = { name: name };
      if (name === 'error') entry.value = value && value.message;
      if (name === 'data') entry.value = bytes(value);
      if (name === 'reconnect scheduled') entry.value = value.scheduled;
      window.events.push(entry);
    });
  });
  return client;
};
</script></head><body></body></html>`;

function servePage(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/' || req.url === '/index.html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(PAGE);
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('Not Found');
}

export interface TestServer {
  server: Server;
  primus: Primus;
  port: number;
  /** `http://127.0.0.1:<port>/`, the page. */
  url: string;
}

/**
 * An HTTP server on 127.0.0.1 (port 0 unless given) serving the test page,
 * with the Primus facade attached (so `/primus/primus.js` is the library).
 * `setup` runs before listening: add listeners, `authorize`, plugins.
 */
export async function startServer(
  options: PrimusOptions = {},
  setup: (primus: Primus) => void = () => undefined,
  port = 0,
): Promise<TestServer> {
  const server = createServer(servePage);
  const primus = new Primus(server, options);
  setup(primus);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return { server, primus, port: actual, url: `http://127.0.0.1:${actual}/` };
}

/** Destroy the facade and close the server; `reconnect: true` leaves clients trying to come back. */
export async function stopServer(s: TestServer | undefined, options: { reconnect?: boolean } = {}): Promise<void> {
  if (!s) return;
  await new Promise<void>((resolve) => {
    s.primus.destroy({ reconnect: options.reconnect }, () => resolve());
    // Keep-alive page loads must not hold the close up.
    s.server.closeIdleConnections();
  });
}

/** A fresh browser context and page on `url`, with `window.Primus` loaded. */
export async function openPage(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as unknown as { Primus?: unknown }).Primus === 'function');
  return { context, page };
}

export type PageEvent = { name: string; value?: unknown };

/** Everything `track` logged so far. */
export function events(page: Page): Promise<PageEvent[]> {
  return page.evaluate(() => (window as unknown as { events: PageEvent[] }).events);
}

/** Wait until `track` has logged `count` events named `name`; resolves to the whole log. */
export async function waitForEvent(page: Page, name: string, count = 1, timeout = 10_000): Promise<PageEvent[]> {
  await page.waitForFunction(
    ([n, c]) => (window as unknown as { events: PageEvent[] }).events.filter((e) => e.name === n).length >= (c as number),
    [name, count] as const,
    { timeout },
  );
  return events(page);
}

/** Names of the logged events, in order. */
export async function eventNames(page: Page): Promise<string[]> {
  return (await events(page)).map((e) => e.name);
}

/** Resolve with the next `n` values of `event` on `emitter` (rejects after `ms`). */
// The emitter is loosely typed on purpose: tests also wait for events no event map declares.
export function next<T = unknown>(emitter: { on(e: any, f: (v: T) => void): unknown; off(e: any, f: (v: T) => void): unknown }, event: string, n = 1, ms = 10_000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out: ${got.length}/${n} "${event}"`));
    }, ms);
    const listener = (value: T): void => {
      got.push(value);
      if (got.length < n) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(got);
    };
    emitter.on(event, listener);
  });
}

/**
 * One headless Chromium for the test file: launched (after making sure the
 * browser chunks are built) before its first test, closed after its last.
 */
export function useBrowser(): { readonly browser: Browser } {
  const holder = {} as { browser: Browser };
  beforeAll(async () => {
    await ensureBrowserBuild();
    holder.browser = await launchBrowser();
  });
  afterAll(async () => {
    await holder.browser?.close();
  });
  return holder;
}

/** What one browser test opened: its server and its browser context. */
export interface OpenedByTest {
  srv?: TestServer;
  context?: BrowserContext;
}

/** The test file's server and browser context, closed (context first) after each test. */
export function useServerAndContext(): OpenedByTest {
  const opened: OpenedByTest = {};
  afterEach(async () => {
    await opened.context?.close();
    opened.context = undefined;
    await stopServer(opened.srv);
    opened.srv = undefined;
  });
  return opened;
}
