import type { Spark } from '../../core/spark';
import type { Session } from '../../plugins/continuity';
import { continuityEnv, continuityEvents, nextSession, until } from './env';
import { once } from '../helpers/net';

let env: Awaited<ReturnType<typeof continuityEnv>> | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

test('messages written while the client is cut off are replayed in order; client messages are processed once', async () => {
  env = await continuityEnv();
  const received: unknown[] = [];
  const sessions = new Set<Session>();
  env.kernel.on('connection', (spark: Spark) => {
    sessions.add(spark.session!);
    spark.on('data', (d: unknown) => received.push(d));
  });
  const client = env.client();
  const events = continuityEvents(client);
  const got: unknown[] = [];
  client.on('data', (d: unknown) => got.push(d));
  await once(client, 'open');
  for (let i = 1; i <= 5; i++) client.write(i);
  await until(() => received.length === 5);
  const session = [...sessions][0];
  for (let i = 1; i <= 3; i++) session.write(`s${i}`);
  await until(() => got.length === 3);
  env.proxy.blip(100);
  // Both ways while the connection is down.
  for (let i = 4; i <= 6; i++) session.write(`s${i}`);
  for (let i = 6; i <= 8; i++) client.write(i);
  await until(() => got.length === 6 && received.length === 8);
  expect(got).toEqual(['s1', 's2', 's3', 's4', 's5', 's6']);
  expect(received).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(sessions.size).toBe(1);
  expect(events).toEqual([{ recovered: true }]);
  expect(env.events.map(([, info]) => [info.recovered, info.reason])).toEqual([[true, undefined]]);
});

test('a client that received nothing yet resumes and gets what was written while it was away', async () => {
  env = await continuityEnv();
  const { client, events, got, session } = await env.connect();
  env.proxy.blip(100);
  await until(() => session.spark === null);
  session.write('while away');
  await until(() => got.length === 1);
  expect(got).toEqual(['while away']);
  expect(events).toEqual([{ recovered: true }]);
});

test('past the window: recovered false on both sides, unacknowledged messages handed back, a new session', async () => {
  env = await continuityEnv({ window: 100, ackDelay: 10_000, ackEvery: 1000 });
  const { client, events, session } = await env.connect();
  const received: unknown[] = [];
  session.spark!.on('data', (d: unknown) => received.push(d));
  client.write('x');
  client.write('y');
  await until(() => received.length === 2);
  // The server's acknowledgement is 10 s away: both messages are still unacknowledged.
  const closed = once(session, 'close');
  env.proxy.blip(400);
  await closed;
  await until(() => events.length === 1);
  expect(events).toEqual([{ recovered: false, reason: 'expired', pending: ['x', 'y'] }]);
  expect(env.events.map(([, info]) => [info.recovered, info.reason])).toEqual([[false, 'expired']]);
  expect(env.events[0][1].session).not.toBe(session);
});

test('history trimmed: recovered false with reason trimmed, nothing replayed, the session goes on', async () => {
  env = await continuityEnv({ maxMessages: 3 });
  const { client, events, got, session } = await env.connect();
  const received: unknown[] = [];
  env.kernel.on('connection', (spark: Spark) => spark.on('data', (d: unknown) => received.push(d)));
  session.spark!.on('data', (d: unknown) => received.push(d));
  env.proxy.blip(100);
  await until(() => session.spark === null);
  for (let i = 1; i <= 5; i++) session.write(i);
  client.write('up');
  await until(() => events.length === 1 && received.length === 1);
  expect(events).toEqual([{ recovered: false, reason: 'trimmed' }]);
  session.write(6);
  await until(() => got.length === 1);
  expect(got).toEqual([6]);
  expect(received).toEqual(['up']);
});

test('a full queue of unacknowledged messages: write() returns false with ALLSPARK_CONTINUITY_FULL', async () => {
  env = await continuityEnv({ client: { maxUnacked: 3 } });
  const client = env.client();
  const errors: Array<{ code?: string }> = [];
  client.on('error', (e) => errors.push(e as { code?: string }));
  expect([client.write(1), client.write(2), client.write(3), client.write(4)]).toEqual([true, true, true, false]);
  expect(errors.map((e) => e.code)).toEqual(['ALLSPARK_CONTINUITY_FULL']);
  await once(client, 'open');
  // Once the server acknowledges them there is room again.
  await until(() => client.write(5), 5000, 'room in the queue');
});

test('a silent plain server: after helloTimeout the client is plain, with no event', async () => {
  const { createServer } = await import('node:http');
  const RealPrimus = require('primus');
  const server = createServer();
  const primus = new RealPrimus(server, { transformer: 'websockets', pingInterval: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const received: unknown[] = [];
  primus.on('connection', (spark: any) => spark.on('data', (d: unknown) => received.push(d)));
  const { socketClass } = await import('../../core/client/factory');
  const { clientConfigOf } = await import('../../core/client-config');
  const { websockets } = await import('../../transformers/websockets');
  const { jsonParserPlugin } = await import('../../plugins/json-parser');
  const { continuity } = await import('../../plugins/continuity');
  const Socket = socketClass(clientConfigOf('/primus', [[websockets, {}], [jsonParserPlugin, {}], [continuity, {}]]));
  const client = new Socket(`http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`, { continuity: { helloTimeout: 100 } });
  const events = continuityEvents(client);
  try {
    await once(client, 'open');
    client.write(1);
    await until(() => client.ledger === null);
    client.write(2);
    await until(() => received.length === 2);
    expect(received).toEqual([1, 2]);
    expect(events).toEqual([]);
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => primus.destroy({ timeout: 0 }, () => resolve()));
  }
});

test('a client that ends for good ends its session on the server at once', async () => {
  env = await continuityEnv();
  const { client, session } = await env.connect();
  await until(() => (client as unknown as { continuity: { phase: string } }).continuity.phase === 'on');
  const closed = once(session, 'close');
  client.end();
  await closed;
  expect(session.closed).toBe(true);
  expect(session.write('late')).toBe(false);
});

test('a stalled connection the server still holds: the client comes back on a new one, takes the session over, nothing twice', async () => {
  env = await continuityEnv();
  const first = nextSession(env.kernel);
  const client = env.client();
  const events = continuityEvents(client);
  const got: unknown[] = [];
  client.on('data', (d: unknown) => got.push(d));
  const received: unknown[] = [];
  env.kernel.on('connection', (spark: Spark) => spark.on('data', (d: unknown) => received.push(d)));
  await once(client, 'open');
  const session = await first;
  const oldSpark = session.spark!;
  session.spark!.on('data', (d: unknown) => received.push(d));
  // Ended by the takeover, while the new connection is already there (not by the network: it is silent).
  let connectedAtEnd = 0;
  oldSpark.once('end', () => (connectedAtEnd = env!.kernel.connected));
  env.proxy.stall(500);
  session.write('s1');
  client.write('c1');
  await new Promise((r) => setTimeout(r, 50));
  // What a heartbeat timeout does: give up on the silent connection and dial again.
  client.drop();
  await until(() => events.length === 1);
  expect(oldSpark.readyState).toBe(2);
  // The old spark had left the table when it ended; the new one was already in it.
  expect(connectedAtEnd).toBe(1);
  session.write('s2');
  client.write('c2');
  await until(() => got.length === 2 && received.length === 2);
  // The stalled bytes flow again; nothing of them may show up a second time.
  await new Promise((r) => setTimeout(r, 700));
  expect(events).toEqual([{ recovered: true }]);
  expect(got).toEqual(['s1', 's2']);
  expect(received).toEqual(['c1', 'c2']);
});

test('broadcasts (encoded once for all sparks) are kept and replayed as the text they were', async () => {
  env = await continuityEnv();
  const { client, events, got, session } = await env.connect();
  env.kernel.write('b1 ✓');
  await until(() => got.length === 1);
  env.proxy.stall(300);
  env.kernel.write('b2 ✓');
  env.kernel.write({ b: 3 });
  client.drop();
  await until(() => events.length === 1 && got.length === 3);
  expect(got).toEqual(['b1 ✓', 'b2 ✓', { b: 3 }]);
  expect(events).toEqual([{ recovered: true }]);
  expect(session.stream.top).toBe(3);
});
