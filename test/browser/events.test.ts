import { z } from 'zod/v3';
import type { Page } from 'playwright-core';
import type { Spark } from '../../core/spark';
import { events, defineEvents, rooms, roomsOf } from '../../index';
import { useBrowser, useServerAndContext, startServer, openPage } from './helpers';

const chromium = useBrowser();
const env = useServerAndContext();

const app = defineEvents({
  join: z.string().min(1),
  chat: z.object({ text: z.string().max(20) }),
  sum: { payload: z.object({ a: z.number(), b: z.number() }), reply: z.number() },
  slow: z.number(),
  double: { payload: z.number(), reply: z.number() },
});

/** Two pages in one browser context, each with a client `c` that logs events into `window.log`. */
async function pages(): Promise<Page[]> {
  const opened = await openPage(chromium.browser, env.srv!.url);
  env.context = opened.context;
  const second = await env.context.newPage();
  await second.goto(env.srv!.url);
  const all = [opened.page, second];
  for (const page of all) {
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const w = window as any;
          w.log = [];
          w.c = new w.Primus();
          w.c.on('chat', (p: unknown) => w.log.push(['chat', p]));
          w.c.on('error', (e: any) => w.log.push(['error', e.code, e.event, e.path, e.message, e.name]));
          w.c.on('double', (n: number) => n * 2);
          w.c.on('open', () => resolve());
        }),
    );
  }
  return all;
}

describe('rooms, typed events and acks in Chromium through the library', () => {
  it('joins a room by event, gets room broadcasts as typed events, asks and answers, sees refusals and timeouts', async () => {
    const sparks: Spark[] = [];
    env.srv = await startServer({}, (primus) => {
      primus.kernel.use(rooms).use(events, { map: app, ackTimeout: 2000 });
      primus.on('connection', (spark: Spark) => {
        sparks.push(spark);
        const s = app.spark(spark);
        s.on('join', (room) => void spark.join(room));
        s.on('chat', (payload) => void roomsOf(primus).room([...spark.rooms]).emit('chat', payload));
        s.on('sum', ({ a, b }) => a + b);
        s.on('slow', () => undefined);
      });
    });
    const [one, two] = await pages();
    for (const page of [one, two]) await page.evaluate(() => (window as any).c.emit('join', 'lobby'));
    while (roomsOf(env.srv.primus).room('lobby').sparks().length < 2) await new Promise((r) => setTimeout(r, 10));

    await one.evaluate(() => (window as any).c.emit('chat', { text: 'hello all' }));
    for (const page of [one, two]) {
      await page.waitForFunction(() => (window as any).log.some((e: unknown[]) => e[0] === 'chat'));
      expect(await page.evaluate(() => (window as any).log)).toEqual([['chat', { text: 'hello all' }]]);
    }

    expect(await one.evaluate(() => (window as any).c.ask('sum', { a: 40, b: 2 }))).toBe(42);
    expect(await app.spark(sparks[0]).ask('double', 21)).toBe(42);

    await two.evaluate(() => (window as any).c.emit('chat', { text: 'x'.repeat(30) }));
    await two.waitForFunction(() => (window as any).log.some((e: unknown[]) => e[0] === 'error'));
    expect((await two.evaluate(() => (window as any).log)).at(-1)).toEqual([
      'error',
      'ALLSPARK_EVENT_INVALID',
      'chat',
      'text',
      'Invalid payload for event "chat" at text: String must contain at most 20 character(s)',
      'AllsparkError',
    ]);

    const timeout = await two.evaluate(() =>
      (window as any).c.ask('slow', 1, { timeout: 50 }).then(
        () => 'answered',
        (e: any) => [e.code, e.message],
      ),
    );
    expect(timeout).toEqual(['ALLSPARK_ACK_TIMEOUT', 'No reply to "slow" within 50 ms']);
    expect(env.srv.primus.connected).toBe(2);
  });
});
