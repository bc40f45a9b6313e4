/**
 * The browser half, in headless Chromium: the bundle is built from
 * src/browser.ts (as `npm run build` does), the server's generated library
 * carries it, and a browser and a Node client see each other type.
 * Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium); a missing
 * browser fails the test, it is never skipped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { clientLibrary, middleware } from 'allspark';
import { buildClientHalf } from 'allspark/build';
import { startTestKernel, nextEvent, type TestKernel } from 'allspark/testing';
import { typingIndicator } from '../src';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..');

/** What the page holds: the library's global, the client, what it saw. */
type PageClient = { on(event: string, listener: (...args: unknown[]) => void): void; typing(active?: boolean): void };
type PageWindow = { Primus: new (url: string) => PageClient; client: PageClient; seen: unknown[][]; ready: boolean };

describe('typing-indicator: in the browser', () => {
  let browser: Browser;
  let t: TestKernel;
  let page: Page;

  beforeAll(async () => {
    // `alias`: inside the allspark repository, `allspark/browser` is the source file; in a package, node_modules.
    await buildClientHalf({ entry: 'src/browser.ts', outfile: 'browser/typing-indicator.js', root: ROOT, alias: { 'allspark/browser': require.resolve('allspark/browser') } });
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(() => browser?.close());
  afterEach(() => t?.close());

  test('the library carries the half; browser and Node clients see each other type', async () => {
    t = await startTestKernel({ use: (k) => k.use(middleware).use(clientLibrary).use(typingIndicator, { idleMs: 150 }) });
    const node = t.client();
    const nodeSpark = await t.nextConnection();
    page = await (await browser.newContext()).newPage();
    // Any page of the server's origin will do (this one is a 404): the script and the socket are same-origin.
    await page.goto(`${t.url}/`);
    await page.addScriptTag({ url: `${t.url}/primus/primus.js` });
    const browserSpark = t.nextConnection();
    await page.evaluate((url) => {
      const w = window as unknown as PageWindow;
      w.seen = [];
      w.client = new w.Primus(url);
      w.client.on('typing', (who, active) => w.seen.push([who, active]));
      w.client.on('typing:ready', () => (w.ready = true));
    }, t.url);
    await page.waitForFunction(() => (window as unknown as PageWindow).ready === true);
    const fromBrowser = (await browserSpark).id;

    node.typing();
    await page.waitForFunction(() => (window as unknown as PageWindow).seen.length === 2, undefined, { timeout: 5000 });
    expect(await page.evaluate(() => (window as unknown as PageWindow).seen)).toEqual([[nodeSpark.id, true], [nodeSpark.id, false]]);

    const nodeSaw = nextEvent(node, 'typing');
    await page.evaluate(() => (window as unknown as PageWindow).client.typing(true));
    expect(await nodeSaw).toEqual([fromBrowser, true]);
    // The browser half got idleMs from clientOptions: it stops by itself.
    expect(await nextEvent(node, 'typing')).toEqual([fromBrowser, false]);
  });
});
