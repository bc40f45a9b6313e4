import type { EventEmitter } from 'node:events';
import type { BrowserContext, Page } from 'playwright-core';
import type { Spark } from '../../core/spark';
import {
  useBrowser,
  startServer,
  stopServer,
  openPage,
  waitForEvent,
  eventNames,
  events,
  next,
  type TestServer,
} from './helpers';

const chromium = useBrowser();
let servers: TestServer[] = [];
let context: BrowserContext | undefined;

afterEach(async () => {
  await context?.close();
  context = undefined;
  for (const s of servers) await stopServer(s);
  servers = [];
});

/** A server whose sparks report every message they receive on `primus` as `message`. */
async function recordingServer(options: Record<string, unknown> = {}, port = 0): Promise<TestServer> {
  const s = await startServer(
    options,
    (primus) => {
      primus.on('connection', (spark: Spark) => spark.on('data', (data: unknown) => (primus as EventEmitter).emit('message', data)));
    },
    port,
  );
  servers.push(s);
  return s;
}

/** Open the page and connect a tracked client with fast reconnects. */
async function connect(url: string): Promise<Page> {
  const opened = await openPage(chromium.browser, url);
  context = opened.context;
  const page = opened.page;
  await page.evaluate(() => {
    const w = window as any;
    w.client = w.track(new w.Primus({ reconnect: { min: 50, max: 200, retries: 50 } }));
  });
  await waitForEvent(page, 'open');
  return page;
}

describe('network events in Chromium (offline plugin)', () => {
  it('goes offline without ending, keeps queued writes and reconnects at once when back online', async () => {
    const srv = await recordingServer();
    const page = await connect(srv.url);
    const gone = next(srv.primus, 'disconnection');

    await context!.setOffline(true);
    await waitForEvent(page, 'offline');
    const offline = await page.evaluate(() => {
      const client = (window as any).client;
      client.write('while offline 1');
      client.write({ n: 2 });
      return {
        online: client.online,
        readyState: client.readyState,
        queued: client.buffer.length,
        reconnecting: client.recovery.reconnecting,
      };
    });
    // Closed (so writes queue), nothing scheduled to dial while there is no network.
    expect(offline).toEqual({ online: false, readyState: 2, queued: 2, reconnecting: false });
    await gone;

    const arrived = next(srv.primus, 'message', 2);
    await context!.setOffline(false);
    await waitForEvent(page, 'open', 2);
    expect(await arrived).toEqual(['while offline 1', { n: 2 }]);
    const names = await eventNames(page);
    expect(names).toEqual(['open', 'offline', 'close', 'online', 'reconnect scheduled', 'reconnect', 'reconnected', 'open']);
    // The first attempt after the network returns is immediate, not after a back-off delay.
    expect((await events(page)).find((e) => e.name === 'reconnect scheduled')!.value).toBe(0);
    expect(await page.evaluate(() => (window as any).client.online)).toBe(true);
    expect(names).not.toContain('end');
  });

  it('ends for good on offline when the strategy does not include online', async () => {
    const srv = await recordingServer();
    const opened = await openPage(chromium.browser, srv.url);
    context = opened.context;
    const page = opened.page;
    await page.evaluate(() => {
      const w = window as any;
      w.client = w.track(new w.Primus({ strategy: ['disconnect'] }));
    });
    await waitForEvent(page, 'open');
    await context.setOffline(true);
    await waitForEvent(page, 'end');
    await context.setOffline(false);
    await waitForEvent(page, 'online');
    expect(await eventNames(page)).toEqual(['open', 'offline', 'close', 'end', 'online']);
  });

  it('reconnects after the server restarts on the same port, delivering writes queued meanwhile', async () => {
    const first = await recordingServer();
    const page = await connect(first.url);
    await stopServer(first, { reconnect: true });
    servers = [];
    await waitForEvent(page, 'close');
    await page.evaluate(() => {
      const client = (window as any).client;
      client.write('queued 1');
      client.write({ queued: 2 });
    });
    // Let at least one attempt fail against the closed port before the server returns.
    await waitForEvent(page, 'reconnect scheduled', 2);

    const second = await recordingServer({}, first.port);
    const arrived = next(second.primus, 'message', 2);
    await waitForEvent(page, 'reconnected');
    expect(await arrived).toEqual(['queued 1', { queued: 2 }]);
    const names = await eventNames(page);
    expect(names.slice(0, 2)).toEqual(['open', 'close']);
    expect(names.slice(-2)).toEqual(['reconnected', 'open']);
    expect(names).not.toContain('end');
    expect(names).not.toContain('error');
  });

  it('shows a rejected authorization as error, then end, with no reconnect loop', async () => {
    let asked = 0;
    const srv = await startServer({}, (primus) => {
      primus.authorize((_req: unknown, done: (err?: unknown) => void) => {
        asked++;
        done(Object.assign(new Error('Go away'), { statusCode: 403 }));
      });
    });
    servers.push(srv);
    const opened = await openPage(chromium.browser, srv.url);
    context = opened.context;
    const page = opened.page;
    await page.evaluate(() => {
      const w = window as any;
      w.client = w.track(new w.Primus({ reconnect: { min: 50, max: 100 } }));
    });
    const log = await waitForEvent(page, 'end');
    // A reconnect would have been scheduled synchronously, before `end`.
    expect(log.map((e) => e.name)).toEqual(['error', 'end']);
    expect(typeof log[0].value).toBe('string');
    expect(asked).toBe(1);
    expect(await page.evaluate(() => (window as any).client.recovery.reconnecting)).toBe(false);
  });
});
