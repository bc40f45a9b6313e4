/**
 * Continuity is invisible to Primus 8 peers: a real Primus 8 client against
 * our server (with continuity, beside continuity clients that blip) sees
 * today's frames and nothing else; our continuity client against a real
 * Primus 8 server sends today's frames and turns itself off.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Spark } from '../../core/spark';
import type { Client } from '../../core/client/client';
import { socketClass } from '../../core/client/factory';
import { clientConfigOf } from '../../core/client-config';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { reconnect } from '../../plugins/reconnect';
import { continuity } from '../../plugins/continuity';
import { continuityEnv, continuityEvents, until } from './env';
import { once } from '../helpers/net';

const RealPrimus = require('primus');

let stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

test('a real Primus 8 client beside blipping continuity clients: plain frames only, everything arrives', async () => {
  const env = await continuityEnv();
  stops.push(() => env.stop());
  const frames: string[] = [];
  const echoed: unknown[] = [];
  const plainSparks: Spark[] = [];
  env.kernel.on('connection', (spark: Spark) => {
    if (spark.session === null) plainSparks.push(spark);
    spark.on('data', (d: unknown) => spark.write(d));
  });
  const Socket = RealPrimus.createSocket({ transformer: 'websockets', pathname: '/primus' });
  const primus = new Socket(`http://127.0.0.1:${(env.server.address() as AddressInfo).port}`, { reconnect: { min: 20, max: 100 } });
  primus.on('error', () => undefined);
  stops.push(() => primus.destroy());
  primus.on('incoming::data', (raw: string) => frames.push(raw));
  primus.on('data', (d: unknown) => echoed.push(d));
  await once(primus, 'open');

  const ours = env.client();
  const got: unknown[] = [];
  ours.on('data', (d: unknown) => got.push(d));
  await once(ours, 'open');
  for (let i = 1; i <= 20; i++) {
    primus.write({ p: i });
    ours.write(i);
    if (i % 5 === 0) env.proxy.blip(30);
    await new Promise((r) => setTimeout(r, 10));
  }
  await until(() => echoed.length === 20 && got.length === 20);
  expect(echoed).toEqual(Array.from({ length: 20 }, (_, i) => ({ p: i + 1 })));
  expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  // The Primus client saw its echoes and nothing of continuity.
  expect(frames).toEqual(Array.from({ length: 20 }, (_, i) => JSON.stringify({ p: i + 1 })));
  expect(plainSparks.length).toBe(1);
  expect(plainSparks[0].continuity).toBe(null);
});

test('our continuity client against a real Primus 8 server: today\'s frames, then plain', async () => {
  const server = createServer();
  const primus = new RealPrimus(server, { transformer: 'websockets', pingInterval: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  stops.push(() => new Promise<void>((resolve) => primus.destroy({ timeout: 0 }, () => resolve())));
  const raw: string[] = [];
  const sparks: any[] = [];
  primus.on('connection', (spark: any) => {
    sparks.push(spark);
    spark.on('incoming::data', (frame: string) => raw.push(frame));
    spark.on('data', (d: unknown) => spark.write(d));
  });
  const Socket = socketClass(clientConfigOf('/primus', [[websockets, {}], [jsonParserPlugin, {}], [reconnect, {}], [continuity, {}]]));
  const client: Client = new Socket(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { reconnect: { min: 20, max: 100 } });
  stops.push(() => void client.destroy());
  const events = continuityEvents(client);
  const got: unknown[] = [];
  client.on('data', (d: unknown) => got.push(d));
  // Written before the connection opens, then while it is undecided.
  client.write('a');
  await once(client, 'open');
  client.write('b');
  await until(() => got.length === 2);
  expect(client.ledger).toBe(null);
  // After a reconnect nothing is re-sent: Primus sees each message once.
  sparks[0].end(undefined, { reconnect: true });
  await until(() => sparks.length === 2 && client.readyState === 3);
  client.write('c');
  await until(() => got.length === 3);
  expect(got).toEqual(['a', 'b', 'c']);
  expect(raw).toEqual(['"a"', '"b"', '"c"']);
  expect(events).toEqual([]);
  expect(typeof sparks[0].query._continuity).toBe('string');
});
