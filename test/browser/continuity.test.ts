/**
 * Continuity in Chromium, through the generated library: the page goes
 * offline and online again while both sides keep writing; the session
 * resumes (`recovered: true`) and both sides see every message once, in order.
 */
import type { Spark } from '../../core/spark';
import { continuity, type Session } from '../../plugins/continuity';
import { useBrowser, useServerAndContext, startServer, openPage, waitForEvent, next } from './helpers';

const chromium = useBrowser();
let ticker: ReturnType<typeof setInterval> | undefined;
// Declared first, so it runs first: the ticker stops before the server does.
afterEach(() => clearInterval(ticker));
const env = useServerAndContext();

test('offline and online again: recovered, every message once and in order, both ways', async () => {
  const received: number[] = [];
  let session: Session | undefined;
  let written = 0;
  // Chromium's offline mode may swallow the close frame: a short ping interval lets the server see the
  // connection die within a second either way, instead of after the default 30 s.
  env.srv = await startServer({ pingInterval: 500 }, (primus) => {
    primus.kernel.use(continuity);
    primus.on('connection', (spark: Spark) => {
      session ??= spark.session!;
      spark.on('data', (n) => received.push(n as number));
    });
  });
  const opened = await openPage(chromium.browser, env.srv.url);
  env.context = opened.context;
  const page = opened.page;
  await page.evaluate(() => {
    const w = window as any;
    w.got = [];
    w.sent = 0;
    w.client = w.track(new w.Primus({ reconnect: { min: 50, max: 200, retries: 50 } }));
    w.client.on('continuity', (e: unknown) => w.events.push({ name: 'continuity', value: e }));
    w.client.on('data', (n: number) => w.got.push(n));
    w.writer = setInterval(() => {
      if (w.client.write(w.sent + 1)) w.sent++;
    }, 10);
  });
  await waitForEvent(page, 'open');
  ticker = setInterval(() => {
    if (session?.write(written + 1)) written++;
  }, 10);
  await page.waitForFunction(() => (window as any).got.length > 10);

  const gone = next(env.srv.primus, 'disconnection');
  await env.context.setOffline(true);
  await waitForEvent(page, 'offline');
  await gone;
  const whileAway = written;
  await new Promise((r) => setTimeout(r, 300));
  expect(written).toBeGreaterThan(whileAway);
  await env.context.setOffline(false);
  const events = await waitForEvent(page, 'continuity');
  expect(events.filter((e) => e.name === 'continuity').map((e) => e.value)).toEqual([{ recovered: true }]);

  await page.evaluate(() => clearInterval((window as any).writer));
  clearInterval(ticker);
  const sent = await page.evaluate(() => (window as any).sent as number);
  await page.waitForFunction((n) => (window as any).got.length >= n, written);
  const got = await page.evaluate(() => (window as any).got as number[]);
  expect(got).toEqual(Array.from({ length: written }, (_, i) => i + 1));
  const deadline = Date.now() + 10_000;
  while (received.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(received).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
});
