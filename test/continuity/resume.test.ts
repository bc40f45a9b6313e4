import type { Spark } from '../../core/spark';
import type { Session } from '../../plugins/continuity';
import { continuityEnv, continuityEvents, until } from './env';
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
