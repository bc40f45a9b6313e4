import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { Primus } from '../index';
import { httpServer, urlOf, once, closeServer } from './helpers/net';

/** The Primus client surface of the facade's Node client (`primus.Socket`), and `primus.emits`. */
describe('facade: primus.Socket as Primus shows it', () => {
  let http: Server;
  let primus: InstanceType<typeof Primus>;
  const clients: Array<{ destroy(): unknown }> = [];
  beforeEach(async () => {
    http = await httpServer();
    primus = new Primus(http, { pingInterval: 60_000 });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await new Promise<void>((r) => primus.destroy(() => r()));
    await closeServer(http);
  });
  const track = <T extends { destroy(): unknown }>(c: T): T => {
    clients.push(c);
    return c;
  };

  test('is callable without new, and stays the class (instanceof, prototype, statics)', async () => {
    const Socket = primus.Socket as unknown as (url: string, o?: object) => InstanceType<typeof primus.Socket>;
    const client = track(Socket(urlOf(http), { timeout: 50_000 }));
    expect(client).toBeInstanceOf(primus.Socket);
    expect(Object.getPrototypeOf(client)).toBe(primus.Socket.prototype);
    expect(primus.Socket.CLOSED).toBe(2);
    expect(client.options.timeout).toBe(50_000);
    await once(client, 'open');
  });

  test('options in the shapes Primus leaves there, without touching the caller object', () => {
    const given = { manual: true };
    const client = track(new primus.Socket(urlOf(http), given));
    expect(client.options.strategy).toBe('disconnect,online,timeout');
    expect(client.options.pingTimeout).toBe(90_000);
    expect(client.options.timeout).toBe(10_000);
    expect(given).toEqual({ manual: true });
    const off = track(new primus.Socket(urlOf(http), { manual: true, strategy: false, pingTimeout: 100 }));
    expect(off.options.strategy).toBe('');
    expect(off.options.pingTimeout).toBe(100);
  });

  test('socket (the transport socket), readable/writable follow open and end', async () => {
    const client = track(new primus.Socket(urlOf(http))) as InstanceType<typeof primus.Socket> & {
      socket: unknown;
      readable: boolean;
      writable: boolean;
    };
    expect([client.readable, client.writable]).toEqual([true, true]);
    await once(client, 'open');
    expect(client.socket).toBeTruthy();
    client.end();
    expect([client.readable, client.writable]).toEqual([false, false]);
    expect(client.socket).toBeNull();
    client.open();
    expect([client.readable, client.writable]).toEqual([true, true]);
    await once(client, 'open');
  });

  test('end() on an ended client emits end once', async () => {
    const client = track(new primus.Socket(urlOf(http)));
    await once(client, 'open');
    let ends = 0;
    client.on('end', () => ends++);
    client.end();
    client.end();
    client.end();
    expect(ends).toBe(1);
  });

  test('parse(url) is the shape of client.url', () => {
    const client = track(new primus.Socket({ manual: true })) as InstanceType<typeof primus.Socket> & {
      parse(url: string): { pathname: string; href: string };
    };
    expect(client.url).toEqual(client.parse('http://127.0.0.1'));
    expect(client.parse(client.uri({ query: true })).pathname).toBe('/primus');
  });

  test('open() on a foreign object throws, or emits error when it listens', () => {
    const client = track(new primus.Socket(urlOf(http), { manual: true }));
    expect(() => client.open.call(new EventEmitter() as never)).toThrow(/Primus#open's context/);
    const foreign = new EventEmitter();
    const errors: Error[] = [];
    foreign.on('error', (err: Error) => errors.push(err));
    client.open.call(foreign as never);
    expect(errors.map((e) => e.message)).toEqual(["Primus#open's context should be called with a Primus instance"]);
  });

  test('websockets: false sets AVOID_WEBSOCKETS', () => {
    const client = track(new primus.Socket(urlOf(http), { manual: true, websockets: false })) as unknown as {
      AVOID_WEBSOCKETS: boolean;
      destroy(): void;
    };
    expect(client.AVOID_WEBSOCKETS).toBe(true);
  });

  test('a reconnect stopped from `reconnect scheduled` stays stopped', async () => {
    primus.on('connection', (spark) => spark.end(undefined, { reconnect: true }));
    const client = track(new primus.Socket(urlOf(http), { reconnect: { min: 10, max: 20 } }));
    let reconnects = 0;
    client.on('reconnect', () => reconnects++);
    client.on('reconnect scheduled', () => client.end());
    await once(client, 'end');
    await new Promise((r) => setTimeout(r, 100));
    expect(reconnects).toBe(0);
  });

  test('outgoing::url listeners may rewrite the connect URL (here: the query)', async () => {
    const client = track(new primus.Socket(urlOf(http), { manual: true }));
    const seen: Array<Record<string, unknown>> = [];
    client.on('outgoing::url', (url) => {
      const options = url as unknown as Record<string, unknown>;
      seen.push({ ...options });
      options.query = 'foo=bar';
    });
    client.open();
    const spark = await once<{ query: Record<string, unknown> }>(primus, 'connection');
    expect({ ...spark.query }).toEqual({ foo: 'bar' });
    expect(seen[0]).toMatchObject({ protocol: 'ws:', secure: false, hostname: '127.0.0.1', pathname: '/primus' });
    expect(String(seen[0].query)).toMatch(/^_primuscb=/);
  });

  test('outgoing::open listeners already see the transport socket', async () => {
    const client = track(new primus.Socket(urlOf(http))) as InstanceType<typeof primus.Socket> & { socket: unknown };
    const socketAtOpen = await new Promise((resolve) => client.once('outgoing::open', () => resolve(client.socket)));
    expect(socketAtOpen).toBeTruthy();
    await once(client, 'open');
  });

  test('recovery shows the running reconnect cycle as attempt, and reset() stops it', async () => {
    primus.on('connection', (spark) => spark.end(undefined, { reconnect: true }));
    const client = track(new primus.Socket(urlOf(http), { reconnect: { min: 500, max: 1000 } }));
    const recovery = (client as unknown as { recovery: { attempt: unknown; reset(): void } }).recovery;
    expect(recovery.attempt).toBeNull();
    const [state] = await new Promise<unknown[]>((r) => client.once('reconnect scheduled', (...args: unknown[]) => r(args)));
    expect(recovery.attempt).toBe(state);
    expect(state).toMatchObject({ attempt: 1, min: 500, max: 1000 });
    recovery.reset();
    expect(recovery.attempt).toBeNull();
  });

  test('primus.emits(event) re-emits on the server, with an optional parser', () => {
    const seen: unknown[][] = [];
    // An event no map declares: listened to through the untyped emitter, as JavaScript would.
    (primus as unknown as EventEmitter).on('news', (...args: unknown[]) => seen.push(args));
    primus.emits('news')(1, 2);
    primus.emits('news', (next, a) => next(undefined, `parsed ${a}`))('x');
    expect(seen).toEqual([[1, 2], ['parsed x']]);
  });
});
