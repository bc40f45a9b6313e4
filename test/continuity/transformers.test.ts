/**
 * The same resume on every transformer: implicit offsets only need frames
 * in order on one connection, which all four give.
 */
import type { Spark } from '../../core/spark';
import type { PluginDefinition } from '../../core/plugin';
import type { Session } from '../../plugins/continuity';
import { websockets } from '../../transformers/websockets';
import { faye } from '../../transformers/faye';
import { engineio } from '../../transformers/engine.io';
import { sockjs } from '../../transformers/sockjs';
import { continuityEnv, continuityEvents, until } from './env';
import { once } from '../helpers/net';

let env: Awaited<ReturnType<typeof continuityEnv>> | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

test.each([
  ['websockets', websockets],
  ['faye', faye],
  ['engine.io', engineio],
  ['sockjs', sockjs],
] as Array<[string, PluginDefinition]>)('%s: cut, resume, both directions once and in order', async (_name, transformer) => {
  // Heartbeats find a link the cut left half-open (engine.io mid-upgrade), as in production.
  env = await continuityEnv({}, () => undefined, { transformer, pingInterval: 1000 });
  const received: unknown[] = [];
  let session: Session | undefined;
  env.kernel.on('connection', (spark: Spark) => {
    session ??= spark.session!;
    spark.on('data', (d: unknown) => received.push(d));
  });
  const client = env.client();
  const events = continuityEvents(client);
  const got: unknown[] = [];
  client.on('data', (d: unknown) => got.push(d));
  await once(client, 'open', 10_000);
  client.write(1);
  await until(() => session !== undefined && received.length === 1);
  session!.write('a');
  await until(() => got.length === 1);
  env.proxy.blip(100);
  session!.write('b');
  client.write(2);
  await until(() => events.length === 1 && got.length === 2 && received.length === 2, 15_000);
  session!.write('c');
  client.write(3);
  await until(() => got.length === 3 && received.length === 3);
  expect(events).toEqual([{ recovered: true }]);
  expect(got).toEqual(['a', 'b', 'c']);
  expect(received).toEqual([1, 2, 3]);
});
