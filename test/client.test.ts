import type { Server } from 'node:http';
import { Client, type Spark, type Packet } from '../index';
import { delayFor, backoffSettings, toMs } from '../plugins/reconnect/backoff';
import { parseStrategy } from '../plugins/reconnect/strategy';
import { startKernel, stopAll } from './helpers/kernel';
import { once, collect, delay, portOf } from './helpers/net';

type Env = Awaited<ReturnType<typeof startKernel>>;

const echo = (k: Env['kernel']) => k.on('connection', (s: Spark) => s.on('data', (d: unknown) => s.write(d)));

describe('reconnect back-off', () => {
  test('delays grow by factor, are randomised (attempt 1 too) and capped by max', () => {
    const s = backoffSettings({ min: 100, max: 1000, factor: 2 });
    expect(delayFor(s, 1, () => 0)).toBe(100);
    expect(delayFor(s, 1, () => 0.999)).toBe(200);
    expect(delayFor(s, 2, () => 0)).toBe(200);
    expect(delayFor(s, 3, () => 0.5)).toBe(600);
    expect(delayFor(s, 10, () => 0.5)).toBe(1000);
  });

  test('duration strings and defaults', () => {
    expect(toMs('2 seconds', 0)).toBe(2000);
    expect(toMs('150ms', 0)).toBe(150);
    expect(toMs('bogus', 7)).toBe(7);
    expect(toMs('1.5 hours', 0)).toBe(5_400_000);
    expect(toMs(' 2 weeks ', 0)).toBe(1_209_600_000);
    expect(backoffSettings(undefined)).toEqual({ min: 500, max: Infinity, retries: 10, factor: 2, 'reconnect timeout': 30000 });
  });

  test('strategy accepts arrays, comma strings and false', () => {
    expect([...parseStrategy('Disconnect, online', [])]).toEqual(['disconnect', 'online']);
    expect([...parseStrategy(false, ['timeout'])]).toEqual([]);
    expect([...parseStrategy(undefined, ['timeout'])]).toEqual(['timeout']);
  });
});

describe('Node client', () => {
  let env: Env | undefined;
  const extra: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await stopAll(env);
    for (const e of extra.splice(0)) await e.close();
    env = undefined;
  });

  test('events in order on open and intentional end; no reconnect', async () => {
    env = await startKernel(echo);
    const c = env.client();
    const events: string[] = [];
    for (const e of <const>['open', 'close', 'end', 'reconnect scheduled']) c.on(e, () => events.push(e));
    c.on('readyStateChange', (s: string) => events.push(`state:${s}`));
    await once(c, 'open');
    expect(c.readyState).toBe(Client.OPEN);
    c.end();
    expect(events).toEqual(['state:opening', 'state:open', 'open', 'state:end', 'close', 'end']);
    await delay(100);
    expect(events).not.toContain('reconnect scheduled');
  });

  test('a client half gets clientOptions(options), or {} without it: server options stay on the server', async () => {
    const { definePlugin } = await import('../index');
    const { z } = await import('zod');
    const seen: Record<string, unknown> = {};
    const secretive = definePlugin({
      name: 'secretive',
      options: z.object({ secret: z.string() }).strict(),
      client: (_client, options: unknown) => void (seen.secretive = options),
    });
    const sharing = definePlugin({
      name: 'sharing',
      options: z.object({ secret: z.string(), hint: z.string() }).strict(),
      client: (_client, options: { hint: string }) => void (seen.sharing = options),
      clientOptions: ({ hint }) => ({ hint }),
    });
    env = await startKernel((k) => k.use(secretive, { secret: 's3' }).use(sharing, { secret: 's4', hint: 'h' }));
    env.client({ manual: true });
    expect(seen).toEqual({ secretive: {}, sharing: { hint: 'h' } });
  });

  test('client.url has Primus’s parsed shape; String(url) is the href', async () => {
    env = await startKernel();
    const { clientFor } = await import('../index');
    const Socket = clientFor(env.kernel);
    const c = new Socket('https://ada:pw@example.com:8443/app?room=blue#top', { manual: true });
    expect({ ...c.url }).toEqual({
      href: 'https://ada:pw@example.com:8443/app?room=blue#top',
      protocol: 'https:',
      slashes: true,
      auth: 'ada:pw',
      username: 'ada',
      password: 'pw',
      host: 'example.com:8443',
      hostname: 'example.com',
      port: '8443',
      pathname: '/app',
      query: '?room=blue',
      hash: '#top',
      origin: 'https://example.com:8443',
    });
    expect(String(c.url)).toBe(c.url.href);
    expect(c.uri({ query: false })).toBe('wss://ada:pw@example.com:8443/primus');
    c.destroy();
  });

  test('a URL that cannot be parsed is a clear error at construction', async () => {
    env = await startKernel();
    expect(() => env!.client({}, '').constructor).not.toThrow();
    const { clientFor } = await import('../index');
    const Socket = clientFor(env.kernel);
    let err: Error & { code?: string } = new Error();
    try {
      new Socket('http://', { manual: true });
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err.code).toBe('ALLSPARK_OPTIONS');
    expect(err.message).toMatch(/^Invalid URL "http:\/\/"/);
    const relative = new Socket('/ignored?room=1', { manual: true });
    expect(relative.uri()).toMatch(/^ws:\/\/127\.0\.0\.1\/primus\?room=1&_primuscb=/);
    relative.destroy();
  });

  test('connects over a unix domain socket with a ws+unix: URL (Node)', async () => {
    const { createServer } = await import('node:http');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createKernel, clientFor } = await import('../index');
    const { websockets } = await import('../transformers/websockets');
    const { jsonParserPlugin } = await import('../plugins/json-parser');
    const path = join(tmpdir(), `allspark-${process.pid}-${Date.now()}.sock`);
    const server = createServer();
    const kernel = createKernel().use(websockets).use(jsonParserPlugin).attach(server);
    kernel.on('connection', (s: Spark) => s.write({ room: s.query.room }));
    await new Promise<void>((r) => server.listen(path, r));
    const c = new (clientFor(kernel))(`ws+unix://${path}?room=uds`);
    expect(c.uri()).toMatch(new RegExp(`^ws\\+unix://${path.replace(/[.]/g, '\\.')}:/primus\\?room=uds&_primuscb=`));
    expect(await once(c, 'data')).toEqual({ room: 'uds' });
    c.destroy();
    await kernel.close();
    await new Promise((r) => server.close(r));
  });

  test('writes are queued while connecting and flushed before open', async () => {
    env = await startKernel(echo);
    const c = env.client();
    expect(c.write('a')).toBe(true);
    expect(c.write('b')).toBe(true);
    expect(c.buffer).toEqual(['a', 'b']);
    expect(await collect(c, 'data', 2)).toEqual(['a', 'b']);
  });

  test('queueSize bounds the queue (oldest dropped) and 0 disables it', async () => {
    env = await startKernel(echo);
    const bounded = env.client({ queueSize: 2 });
    bounded.write(1);
    bounded.write(2);
    expect(bounded.write(3)).toBe(false);
    expect(bounded.buffer).toEqual([2, 3]);
    const none = env.client({ queueSize: 0, manual: true });
    expect(none.write(1)).toBe(false);
    expect(none.buffer).toEqual([]);
  });

  test('spark.end() ends the client without reconnect; end(data, { reconnect: true }) reconnects', async () => {
    let mode: 'final' | 'again' = 'again';
    env = await startKernel((k) =>
      k.on('connection', (s: Spark) => {
        s.on('data', () => (mode === 'final' ? s.end('bye') : s.end('brb', { reconnect: true })));
      }),
    );
    const c = env.client();
    await once(c, 'open');
    c.write('go');
    const [brb] = await Promise.all([once(c, 'data'), once(c, 'reconnect scheduled')]);
    expect(brb).toBe('brb');
    await Promise.all([once(c, 'reconnected'), once(c, 'open')]);
    mode = 'final';
    const scheduled = jest.fn();
    c.on('reconnect scheduled', scheduled);
    c.write('go');
    expect(await once(c, 'data')).toBe('bye');
    await once(c, 'end');
    await delay(150);
    expect(scheduled).not.toHaveBeenCalled();
    expect(c.readyState).toBe(Client.CLOSED);
  });

  test('server restart: reconnects with writes queued while down delivered', async () => {
    env = await startKernel(echo);
    const port = portOf(env.server);
    const c = env.client();
    await once(c, 'open');
    // A restart: sparks end without the close message, so clients come back.
    const closed = once(c, 'close');
    await env.kernel.close({ reconnect: true });
    await closed;
    expect(c.write('while down 1')).toBe(true);
    expect(c.write('while down 2')).toBe(true);
    const fresh = await startKernel(echo, { port });
    extra.push({ close: () => fresh.kernel.close() });
    const got = collect(c, 'data', 2, 10000);
    await once(c, 'reconnected', 10000);
    expect(await got).toEqual(['while down 1', 'while down 2']);
    expect(c.buffer).toEqual([]);
  });

  test('reconnect failed after the configured retries, emitted after end', async () => {
    env = await startKernel();
    const port = portOf(env.server);
    await env.kernel.close();
    const events: string[] = [];
    const { clientFor } = await import('../index');
    const Socket = clientFor(env.kernel);
    const c = new Socket(`http://127.0.0.1:${port}`, { reconnect: { min: 10, max: 20, retries: 2 } });
    env.clients.push(c);
    c.on('error', () => events.push('error'));
    c.on('reconnect scheduled', (o: { attempt: number }) => events.push(`scheduled:${o.attempt}`));
    c.on('end', () => events.push('end'));
    const [err] = await Promise.all([once<Error>(c, 'reconnect failed')]);
    events.push('failed');
    expect(err.message).toBe('Unable to recover');
    expect(events).toEqual(['error', 'scheduled:1', 'scheduled:2', 'end', 'failed']);
  });

  test('a missing ping within pingTimeout means offline, then reconnect and online', async () => {
    env = await startKernel(echo); // server sends no pings
    const c = env.client({ pingTimeout: 150 });
    await once(c, 'open');
    await once(c, 'offline', 2000);
    expect(c.online).toBe(false);
    await once(c, 'reconnected', 2000);
    await once(c, 'online', 2000);
    expect(c.online).toBe(true);
  });

  test('heartbeats over several intervals keep both sides alive', async () => {
    let spark: Spark | undefined;
    env = await startKernel((k) => k.on('connection', (s: Spark) => (spark = s)), { pingInterval: 100 });
    const c = env.client();
    await once(c, 'open');
    const pings = await collect<number>(c, 'incoming::ping', 4, 3000);
    expect(pings.every((p) => typeof p === 'number' && p > 1e12)).toBe(true);
    expect(spark!.readyState).toBe(3);
    expect(c.readyState).toBe(Client.OPEN);
  });

  test('the server drops a spark that never answers pings; the client reconnects', async () => {
    env = await startKernel(undefined, { pingInterval: 80 });
    const c = env.client({ pingTimeout: false });
    await once(c, 'open');
    // Silence the client's pong answers: it stays connected but looks dead to the server.
    (c as unknown as { writeControl: () => boolean }).writeControl = () => true;
    await once(c, 'close', 2000);
    await once(c, 'reconnected', 2000);
  });

  test('connect timeout emits timeout and, with the timeout strategy, retries', async () => {
    // A server that accepts TCP but never answers the upgrade.
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    extra.push({
      close: () => {
        sockets.forEach((s) => s.destroy());
        return new Promise((r) => silent.close(() => r()));
      },
    });
    env = await startKernel();
    const { clientFor } = await import('../index');
    const Socket = clientFor(env.kernel);
    const c = new Socket(`http://127.0.0.1:${(silent.address() as { port: number }).port}`, { timeout: 100, reconnect: { min: 10, retries: 1 } });
    env.clients.push(c);
    await Promise.all([once(c, 'timeout', 2000), once(c, 'reconnect scheduled', 2000)]);
    const noTimeout = new Socket(`http://127.0.0.1:${(silent.address() as { port: number }).port}`, { timeout: 100, strategy: 'disconnect' });
    env.clients.push(noTimeout);
    await Promise.all([once(noTimeout, 'timeout', 2000), once(noTimeout, 'end', 2000)]);
  });

  test('destroy clears every timer and listener', async () => {
    env = await startKernel(echo, { pingInterval: 50 });
    const c = env.client();
    await once(c, 'open');
    const destroyed = once(c, 'destroy');
    expect(c.destroy()).toBe(true);
    await destroyed;
    expect(c.destroy()).toBe(false);
    expect(c.listenerCount('data')).toBe(0);
    expect(c.write('x')).toBe(false);
  });

  test('client transforms change and drop messages both ways', async () => {
    env = await startKernel(echo);
    const c = env.client();
    c.transform('outgoing', (packet) => {
      if (packet.data === 'drop') return false;
      packet.data = { wrapped: packet.data };
    });
    c.transform('incoming', (packet, next) => {
      setTimeout(() => {
        packet.data = (packet.data as { wrapped: unknown }).wrapped;
        next();
      }, 1);
    });
    c.write('drop');
    c.write('kept');
    expect(await once(c, 'data')).toBe('kept');
    expect(() => c.transform('sideways' as never, () => undefined)).toThrow('Invalid transformer type');
  });

  test('end(data) waits for an async outgoing transform before closing', async () => {
    const got: unknown[] = [];
    env = await startKernel((k) => k.on('connection', (s: Spark) => s.on('data', (d: unknown) => got.push(d))));
    const c = env.client();
    c.transform('outgoing', (packet, next) => {
      setTimeout(() => {
        packet.data = `late:${packet.data}`;
        next();
      }, 20);
    });
    await once(c, 'open');
    const ended = once(c, 'end');
    c.end('last words');
    await ended;
    while (got.length === 0) await delay(5);
    expect(got).toEqual(['late:last words']);
  });
});

export type { Server };
