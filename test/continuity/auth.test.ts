/**
 * Resume rules: authorization runs on every (re)connect, a session is
 * resumed only by the identity that created it, and a token works once.
 */
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Spark } from '../../core/spark';
import type { Client } from '../../core/client/client';
import { middleware } from '../../plugins/middleware';
import { authorization } from '../../plugins/authorization';
import { formatResume, type Hello } from '../../plugins/continuity/protocol';
import { continuityEnv, until } from './env';
import { once } from '../helpers/net';

let env: Awaited<ReturnType<typeof continuityEnv>> | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

type State = { session: string; token: string; epoch: string; offset: number };
const stateOf = (c: Client): State => (c as unknown as { continuity: State }).continuity;

/** Connect with a hand-made resume request and return the server's hello. */
async function rawHello(port: number, resume: string, user: string): Promise<Hello> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/primus?user=${user}&_continuity=${encodeURIComponent(resume)}`);
  try {
    const frame = await once<Buffer>(ws, 'message');
    const text = JSON.parse(frame.toString()) as string;
    expect(text.startsWith('primus::continuity::')).toBe(true);
    return JSON.parse(text.slice('primus::continuity::'.length)) as Hello;
  } finally {
    ws.close();
  }
}

async function setup(): Promise<{ port: number; authorized: string[] }> {
  const authorized: string[] = [];
  env = await continuityEnv({ identify: (spark: Spark) => String(spark.query.user) }, (kernel) => {
    kernel.use(middleware).use(authorization, {
      authorize(req: IncomingMessage, done: (err?: unknown) => void) {
        const user = new URL(req.url!, 'http://x').searchParams.get('user') ?? '';
        authorized.push(user);
        done(user === 'banned' ? new Error('no') : undefined);
      },
    });
  });
  return { port: (env.server.address() as AddressInfo).port, authorized };
}

test('authorization runs on every resume; the session continues for its own identity', async () => {
  const { authorized } = await setup();
  const { client: alice, events } = await env!.connect({}, `${env!.proxy.url}/?user=alice`);
  env!.proxy.blip(20);
  await until(() => events.length === 1);
  env!.proxy.blip(20);
  await until(() => events.length === 2);
  expect(events).toEqual([{ recovered: true }, { recovered: true }]);
  expect(authorized).toEqual(['alice', 'alice', 'alice']);
});

test('another identity with the right token gets a new session, and the owner keeps hers', async () => {
  const { port } = await setup();
  const { client: alice, events } = await env!.connect({}, `${env!.proxy.url}/?user=alice`);
  await until(() => stateOf(alice).epoch !== '');
  const s = stateOf(alice);
  const hello = await rawHello(port, formatResume({ ...s, hash: '', seq: 1 }), 'mallory');
  expect(hello).toMatchObject({ r: 0, why: 'identity', o: 0, a: 0 });
  expect(hello.s).not.toBe(s.session);
  env!.proxy.blip(20);
  await until(() => events.length === 1);
  expect(events).toEqual([{ recovered: true }]);
  expect(stateOf(alice).session).toBe(s.session);
});

test('a token works once: after the resume that used it, it is refused', async () => {
  const { port } = await setup();
  const { client: alice, events } = await env!.connect({}, `${env!.proxy.url}/?user=alice`);
  await until(() => stateOf(alice).epoch !== '');
  const used = { ...stateOf(alice) };
  env!.proxy.blip(20);
  await until(() => events.length === 1);
  expect(stateOf(alice).token).not.toBe(used.token);
  // Alice's acknowledgement confirmed her new token; the old one is dead.
  await new Promise((r) => setTimeout(r, 50));
  const hello = await rawHello(port, formatResume({ ...used, hash: '', seq: 1 }), 'alice');
  expect(hello).toMatchObject({ r: 0, why: 'token' });
  expect(hello.s).not.toBe(used.session);
  env!.proxy.blip(20);
  await until(() => events.length === 2);
  expect(events[1]).toEqual({ recovered: true });
});

test('an unknown session or a malformed request starts afresh and says why', async () => {
  const { port } = await setup();
  const expired = await rawHello(port, formatResume({ session: 'gone', token: 'x', epoch: 'zzzz', offset: 3, hash: 'abc', seq: 4 }), 'alice');
  expect(expired).toMatchObject({ r: 0, why: 'epoch', o: 0, a: 3 });
  const malformed = await rawHello(port, 'nonsense', 'alice');
  expect(malformed).toMatchObject({ r: 0, why: 'invalid', o: 0, a: 0 });
});
