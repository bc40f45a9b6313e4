import fc from 'fast-check';
import WebSocket from 'ws';
import type { Socket } from 'node:net';
import { httpCall, upgradeRequest } from '../helpers/probe';
import { exchange, type Ending } from './wire';

/** One thing a fuzzed peer does on an open WebSocket. */
export type Action =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; data: Uint8Array }
  | { kind: 'ping' | 'pong' }
  | { kind: 'close'; code: number }
  | { kind: 'reset' }
  | { kind: 'garbage'; data: Uint8Array }
  | { kind: 'pause' };

/** A WebSocket session: where, when to reset during the handshake (if at all), what it sends. */
export interface WsScenario {
  kind: 'ws';
  path: string;
  resetAt: 'request' | 'upgrade' | 'none';
  actions: Action[];
}

/** A connection cut during the handshake: a prefix of the upgrade request, then a reset or a half close. */
export interface RawScenario {
  kind: 'raw';
  request: string;
  cut: number;
  ending: Ending;
}

/** Polling requests of a session (engine.io POST / GET, SockJS xhr_send / xhr). */
export interface PollScenario {
  kind: 'poll';
  bodies: string[];
  thenWebSocket: WsScenario | null;
}

export type Scenario = WsScenario | RawScenario | PollScenario;

const controlOrJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }).map((s) => JSON.stringify('primus::' + s)),
  fc.constantFrom('"primus::pong::1"', '"primus::ping::x"', '"primus::id::"', '"primus::server::close"', '', 'null', '[', '{"a":'),
);

/** Text frames as each transport frames its messages, mangled or not. */
function textFrame(transformer: string): fc.Arbitrary<string> {
  const any = fc.string({ maxLength: 100, unit: 'binary' });
  if (transformer === 'engine.io') {
    return fc.oneof(
      controlOrJson.map((m) => '4' + m),
      fc.constantFrom('4', '2', '3', '5', '6', '1', '0', '2probe', '3probe', 'b', 'bAAAA', '4\x1e4', ''),
      any,
    );
  }
  if (transformer === 'sockjs') {
    return fc.oneof(
      fc.array(controlOrJson, { maxLength: 4 }).map((ms) => JSON.stringify(ms)),
      fc.constantFrom('null', '[null]', '["a",null]', '{"length":1e9}', '[{"length":1e9}]', '[1,true,{}]', '[', '""', '[]'),
      any,
    );
  }
  return fc.oneof(controlOrJson, any);
}

/** What a peer does on an open WebSocket. */
function action(transformer: string): fc.Arbitrary<Action> {
  return fc.oneof(
    { weight: 6, arbitrary: textFrame(transformer).map((data): Action => ({ kind: 'text', data })) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 100 }).map((data): Action => ({ kind: 'binary', data })) },
    { weight: 1, arbitrary: fc.constantFrom<Action>({ kind: 'ping' }, { kind: 'pong' }, { kind: 'pause' }, { kind: 'reset' }) },
    { weight: 1, arbitrary: fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 3000, 4999).map((code): Action => ({ kind: 'close', code })) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 30 }).map((data): Action => ({ kind: 'garbage', data })) },
  );
}

/** WebSocket paths a transformer serves, and some it does not. */
function wsPath(transformer: string): fc.Arbitrary<string> {
  const session = fc.string({ minLength: 1, maxLength: 8 }).map((s) => encodeURIComponent(s) || 'x');
  const common = fc.constantFrom('/primus', '/primus/', '/primus/?x=1', '/primus/../x', '/elsewhere', '/primus%00');
  if (transformer === 'engine.io') return fc.oneof(fc.constantFrom('/primus/?EIO=4&transport=websocket', '/primus/?EIO=3&transport=websocket', '/primus/?EIO=4&transport=websocket&sid=nope'), common);
  if (transformer === 'sockjs') return fc.oneof(session.map((s) => `/primus/000/${s}/websocket`), fc.constant('/primus/websocket'), common);
  return common;
}

/** A random session against `transformer`: WebSocket, cut handshake, or polling. */
export function scenario(transformer: string): fc.Arbitrary<Scenario> {
  const ws: fc.Arbitrary<WsScenario> = fc.record({
    kind: fc.constant('ws' as const),
    path: wsPath(transformer),
    resetAt: fc.constantFrom<WsScenario['resetAt']>('none', 'none', 'none', 'request', 'upgrade'),
    actions: fc.array(action(transformer), { maxLength: 8 }),
  });
  const raw = fc.record({
    kind: fc.constant('raw' as const),
    request: wsPath(transformer).map((p) => upgradeRequest(p)),
    cut: fc.nat(),
    ending: fc.constantFrom<Ending>('reset-after-send', 'half-close', 'answer', 'silent'),
  });
  const choices: Array<fc.Arbitrary<Scenario>> = [ws, raw];
  if (transformer === 'engine.io' || transformer === 'sockjs') {
    choices.push(
      fc.record({
        kind: fc.constant('poll' as const),
        bodies: fc.array(textFrame(transformer), { maxLength: 4 }),
        thenWebSocket: fc.option(ws, { freq: 2 }) as fc.Arbitrary<WsScenario | null>,
      }),
    );
  }
  return fc.oneof(...choices);
}

/** Play one scenario against the server on `port`. Never throws: the server's fate is checked by the caller. */
export async function play(port: number, transformer: string, s: Scenario): Promise<void> {
  if (s.kind === 'raw') {
    const request = Buffer.from(s.request);
    const cut = s.cut % (request.length + 1);
    await exchange(port, request.subarray(0, cut), s.ending, 200);
    return;
  }
  if (s.kind === 'ws') return playWebSocket(port, s);
  const session = await openPolling(port, transformer);
  for (const body of s.bodies) await post(port, transformer, session, body);
  if (s.thenWebSocket !== null) {
    const path = transformer === 'engine.io' ? `/primus/?EIO=4&transport=websocket&sid=${session}` : `/primus/000/${session}/websocket`;
    const actions: Action[] = transformer === 'engine.io' ? [{ kind: 'text', data: '2probe' }, { kind: 'text', data: '5' }] : [];
    await playWebSocket(port, { ...s.thenWebSocket, path, actions: [...actions, ...s.thenWebSocket.actions] });
  }
}

async function openPolling(port: number, transformer: string): Promise<string> {
  try {
    if (transformer === 'engine.io') {
      const open = await httpCall(port, 'GET', '/primus/?EIO=4&transport=polling');
      return (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
    }
    const session = `p${Math.random().toString(36).slice(2, 10)}`;
    await httpCall(port, 'POST', `/primus/000/${session}/xhr`);
    return session;
  } catch {
    return 'none';
  }
}

async function post(port: number, transformer: string, session: string, body: string): Promise<void> {
  const path = transformer === 'engine.io' ? `/primus/?EIO=4&transport=polling&sid=${session}` : `/primus/000/${session}/xhr_send`;
  await httpCall(port, 'POST', path, body, { 'Content-Type': 'text/plain' }).catch(() => undefined);
}

function playWebSocket(port: number, s: WsScenario): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${s.path}`, { handshakeTimeout: 5000 });
    const raw = (): Socket | undefined => (ws as unknown as { _socket?: Socket })._socket;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      ws.terminate();
      resolve();
    };
    const guard = setTimeout(finish, 5000);
    ws.on('error', finish);
    ws.on('close', finish);
    ws.on('unexpected-response', finish);
    if (s.resetAt === 'request') {
      // The request is on its way: reset before any answer.
      ws.on('upgrade', () => undefined);
      setImmediate(() => {
        const req = (ws as unknown as { _req?: { socket?: Socket } })._req;
        req?.socket?.resetAndDestroy();
        finish();
      });
      return;
    }
    ws.on('upgrade', (res) => {
      if (s.resetAt !== 'upgrade') return;
      (res.socket as Socket).resetAndDestroy();
      finish();
    });
    ws.on('open', async () => {
      for (const a of s.actions) {
        if (done || ws.readyState !== WebSocket.OPEN) break;
        perform(ws, raw(), a);
        await new Promise((r) => setImmediate(r));
      }
      setTimeout(finish, 20);
    });
  });
}

function perform(ws: WebSocket, socket: Socket | undefined, a: Action): void {
  switch (a.kind) {
    case 'text':
      return ws.send(a.data);
    case 'binary':
      return ws.send(a.data);
    case 'ping':
      return ws.ping();
    case 'pong':
      return ws.pong();
    case 'close':
      return ws.close(a.code);
    case 'reset':
      socket?.resetAndDestroy();
      return;
    case 'garbage':
      socket?.write(a.data);
      return;
    case 'pause':
      return;
  }
}
