// A transformer written for Primus (Primus.Transformer.extend), used through the facade: here
// Primus 8's own websockets transformer code, server and client halves, unchanged.
import type { Server } from 'node:http';
import { Primus, type Spark } from '../index';
import { httpServer, once, urlOf, closeServer } from './helpers/net';

const PrimusV8 = require('primus');
const PrimusWebSockets = Primus.Transformer.extend({
  server: require('primus/transformers/websockets/server'),
  client: require('primus/transformers/websockets/client'),
});

describe('custom transformers (Primus.Transformer.extend)', () => {
  let http: Server;
  let primus: Primus | undefined;
  const clients: Array<{ end(): unknown }> = [];

  beforeEach(async () => {
    http = await httpServer();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end();
    if (primus) await new Promise<void>((r) => primus!.destroy(() => r()));
    primus = undefined;
    await closeServer(http).catch(() => undefined);
  });

  function echo(p: Primus): void {
    p.on('connection', (spark: Spark) => spark.on('data', (d: unknown) => spark.write({ echo: d })));
  }

  test('serves our client and the real Primus 8 client; sparks have headers, query and address', async () => {
    primus = new Primus(http, { transformer: PrimusWebSockets });
    echo(primus);
    expect(primus.spec.transformer).toBe('custom');
    expect(primus.transformer).toBeInstanceOf(PrimusWebSockets);
    const service = (primus.transformer as unknown as { service: { options: { maxPayload: number } } }).service;
    expect(service).toBeInstanceOf(require('ws').WebSocketServer);
    // Primus's code reads primus.options.maxLength: filled in with Primus's default.
    expect(service.options.maxPayload).toBe(10_485_760);
    const sparks: Spark[] = [];
    primus.on('connection', (spark: Spark) => sparks.push(spark));

    const ours = new primus.Socket(urlOf(http, '/?room=a'));
    clients.push(ours);
    const oursGot = once(ours as never, 'data');
    ours.write('hi');
    expect(await oursGot).toEqual({ echo: 'hi' });

    const theirs = new (PrimusV8.createSocket({ transformer: 'websockets' }))(urlOf(http));
    clients.push(theirs);
    theirs.write('from v8');
    expect(await once(theirs, 'data')).toEqual({ echo: 'from v8' });

    expect(sparks[0].query.room).toBe('a');
    expect(sparks[0].headers.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(sparks[0].address.ip).toBe('127.0.0.1');
  });

  test('server end: the close message ends the client; end with reconnect brings it back', async () => {
    primus = new Primus(http, { transformer: PrimusWebSockets });
    echo(primus);
    const client = new primus.Socket(urlOf(http), { reconnect: { min: 20, max: 50 } });
    clients.push(client);
    const first = await once<Spark>(primus, 'connection');
    const reconnected = once(client as never, 'reconnected');
    const second = once<Spark>(primus, 'connection');
    first.end(undefined, { reconnect: true });
    await reconnected;
    const spark = await second;
    expect(spark.id).not.toBe(first.id);
    const ended = once(client as never, 'end');
    spark.end();
    await ended;
    expect(client.readyState).toBe(Primus.Spark.CLOSED);
  });

  test('a custom transformer without a client function is refused with a PrimusError', () => {
    const ServerOnly = Primus.Transformer.extend({ server() {} });
    expect(() => new Primus(http, { transformer: ServerOnly })).toThrow('The custom transformer has no client function');
  });
});
