/**
 * The offline plugin's state machine with our Node client and a stand-in
 * for the browser's `window`/`navigator`, so each transition is checked
 * deterministically (network.test.ts drives the real thing in Chromium).
 */
import type { Kernel } from '../../core/kernel';
import type { Client } from '../../core/client/client';
import type { Spark } from '../../core/spark';
import type { Reconnect } from '../../plugins/reconnect/client';
import { offline } from '../../plugins/offline';
import { startKernel, stopAll } from '../helpers/kernel';
import { once, portOf } from '../helpers/net';
import { clientFor } from '../../core/client-config';

/** A stand-in for `window`: records listeners and fires events on demand. */
class FakeWindow {
  readonly listeners = new Map<string, Set<() => void>>();
  addEventListener(type: string, fn: () => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }
  removeEventListener(type: string, fn: () => void): void {
    this.listeners.get(type)?.delete(fn);
  }
  fire(type: 'online' | 'offline'): void {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn();
  }
  count(): number {
    return [...this.listeners.values()].reduce((n, set) => n + set.size, 0);
  }
}

const g = globalThis as { window?: unknown; navigator?: unknown };
const hadNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
let win: FakeWindow;
let env: Awaited<ReturnType<typeof startKernel>> | undefined;
const extra: Array<{ close(): unknown }> = [];

function browserGlobals(onLine: boolean): void {
  win = new FakeWindow();
  g.window = win;
  Object.defineProperty(globalThis, 'navigator', { value: { onLine }, configurable: true, writable: true });
}

afterEach(async () => {
  await stopAll(env);
  env = undefined;
  for (const e of extra.splice(0)) await e.close();
  delete g.window;
  if (hadNavigator) Object.defineProperty(globalThis, 'navigator', hadNavigator);
  else delete g.navigator;
});

/** Record the public events of `client` by name. */
function record(client: Client): string[] {
  const names: string[] = [];
  for (const name of <const>['open', 'close', 'end', 'offline', 'online', 'reconnect scheduled', 'reconnect', 'reconnected', 'error']) {
    client.on(name, (value?: unknown) => names.push(name === 'reconnect scheduled' ? `${name} ${(value as { scheduled: number }).scheduled}` : name));
  }
  return names;
}

const recovery = (client: Client): Reconnect => (client as Client & { recovery: Reconnect }).recovery;

async function connected(): Promise<{ kernel: Kernel; client: Client; names: string[] }> {
  env = await startKernel((k) => k.use(offline));
  const client = env.client();
  const names = record(client);
  await once(client, 'open');
  return { kernel: env.kernel, client, names };
}

describe('offline plugin (network events)', () => {
  beforeEach(() => browserGlobals(true));

  it('closes without ending, queues writes, and reconnects at once when the network returns', async () => {
    const { kernel, client, names } = await connected();
    const gone = once(kernel, 'disconnection');
    win.fire('offline');
    expect(names).toEqual(['open', 'offline', 'close']);
    expect([client.online, client.readyState, recovery(client).reconnecting]).toEqual([false, 2, false]);
    client.write('queued');
    expect(client.buffer).toEqual(['queued']);
    await gone;

    const spark = once<Spark>(kernel, 'connection');
    win.fire('online');
    const arrived = new Promise((resolve) => void spark.then((s) => s.once('data', resolve)));
    await once(client, 'open');
    expect(await arrived).toBe('queued');
    expect(names).toEqual(['open', 'offline', 'close', 'online', 'reconnect scheduled 0', 'reconnect', 'reconnected', 'open']);
  });

  it('cancels a scheduled reconnect while offline', async () => {
    const { kernel, client, names } = await connected();
    const scheduled = once(client, 'reconnect scheduled');
    for (const spark of kernel.connections.values()) spark.end(undefined, { reconnect: true });
    await scheduled;
    expect(recovery(client).reconnecting).toBe(true);
    win.fire('offline');
    expect(recovery(client).reconnecting).toBe(false);
    win.fire('online');
    await once(client, 'open');
    const backoff = (n: string): string => (n.startsWith('reconnect scheduled') && n !== 'reconnect scheduled 0' ? 'reconnect scheduled (back-off)' : n);
    expect(names.map(backoff)).toEqual([
      'open',
      'close',
      'reconnect scheduled (back-off)',
      'offline',
      'online',
      'reconnect scheduled 0',
      'reconnect',
      'reconnected',
      'open',
    ]);
  });

  it('does not come back after end(), even when the network returns (spec §7.18)', async () => {
    const { client, names } = await connected();
    win.fire('offline');
    client.end();
    win.fire('online');
    // A reconnect would be scheduled synchronously by the online event.
    expect(names).toEqual(['open', 'offline', 'close', 'end', 'online']);
    expect(recovery(client).reconnecting).toBe(false);
  });

  it('removes its listeners on destroy, and adds none with network: false', async () => {
    const { client } = await connected();
    expect(win.count()).toBe(2);
    client.destroy();
    expect(win.count()).toBe(0);
    const quiet = env!.client({ network: false, manual: true });
    expect(win.count()).toBe(0);
    quiet.destroy();
  });
});

describe('offline plugin when the page starts offline', () => {
  beforeEach(() => browserGlobals(false));

  it('makes no reconnect attempts until the network returns, then connects at once', async () => {
    // Find a free port, then leave it closed: the first dial is refused.
    const first = await startKernel((k) => k.use(offline));
    const port = portOf(first.server);
    const Socket = clientFor(first.kernel);
    await stopAll(first);
    const client = new Socket(`http://127.0.0.1:${port}`, { reconnect: { min: 50, max: 100 } });
    extra.push({ close: () => client.destroy() });
    const names = record(client);
    await once(client, 'incoming::error');
    expect(names).toEqual(['offline']);
    expect(recovery(client).reconnecting).toBe(false);

    const again = await startKernel((k) => k.use(offline), { port });
    extra.push({ close: () => stopAll(again) });
    win.fire('online');
    await once(client, 'open');
    expect(names).toEqual(['offline', 'online', 'reconnect scheduled 0', 'reconnect', 'reconnected', 'open']);
  });
});
