/**
 * Regression tests for the inputs of issue 13 that killed or stalled the
 * server process. Each server runs in a child process, so "the process
 * survived" is a fact the test observes; after each input a healthy client
 * of the same transformer still does round trips.
 */
import WebSocket from 'ws';
import { startChild, type ChildServer } from '../helpers/child-server';
import { healthyClient, httpCall, roundTrip, sendAndReset, upgradeRequest, type ProbeClient } from '../helpers/probe';
import { delay, once } from '../helpers/net';
import { msgpackCodec } from '../../plugins/binary-parser';

const TRANSFORMERS = ['websockets', 'engine.io', 'sockjs', 'faye'] as const;

jest.setTimeout(120_000);

/** Start a child echo server and a healthy client of it; stop both after the block. */
function serverFor(transformer: string, parser = 'json', refuse = false): { child: () => ChildServer; client: () => ProbeClient } {
  let child: ChildServer;
  let client: ProbeClient;
  beforeAll(async () => {
    child = await startChild({ transformer, parser, refuse });
    client = await healthyClient(child.url, transformer, parser);
  });
  afterAll(async () => {
    client?.destroy();
    await child?.stop();
  });
  return { child: () => child, client: () => client };
}

/** The process is alive and still serves the healthy client. */
async function stillServing(env: { child: () => ChildServer; client: () => ProbeClient }): Promise<void> {
  await delay(50);
  expect(env.child().death).toBe('alive');
  await roundTrip(env.client());
  expect(env.child().death).toBe('alive');
}

/** A raw WebSocket to `path` of the child, open, with every message it received kept from the start. */
async function rawWebSocket(child: ChildServer, path: string): Promise<WebSocket & { received: Buffer[] }> {
  const ws = Object.assign(new WebSocket(`ws://127.0.0.1:${child.port}${path}`), { received: [] as Buffer[] });
  ws.on('error', () => undefined);
  // Listening before `open`: a first frame in the handshake's packet is emitted right after it.
  ws.on('message', (data: Buffer) => ws.received.push(data));
  await once(ws, 'open', 15_000);
  return ws;
}

/** Wait until `ws` received a message that `accept` takes. */
async function nextMessage(ws: { received: Buffer[] }, accept: (text: string, data: Buffer) => boolean, ms = 15_000): Promise<Buffer> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = ws.received.find((data) => accept(data.toString(), data));
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no matching message among ${ws.received.length}`);
    await delay(10);
  }
}

describe('engine.io: empty message packets (issue 13, item 1)', () => {
  const env = serverFor('engine.io');

  it('survives a WebSocket text frame "4" and keeps the connection', async () => {
    const ws = await rawWebSocket(env.child(), '/primus/?EIO=4&transport=websocket');
    await nextMessage(ws, (text) => text.startsWith('0{'));
    const parseErrors = env.child().logged('ALLSPARK_PARSE').length;
    ws.send('4');
    ws.send('4"after"');
    await nextMessage(ws, (text) => text === '4"after"');
    expect(env.child().logged('ALLSPARK_PARSE').length).toBe(parseErrors + 1);
    ws.terminate();
    await stillServing(env);
  });

  it.each([['4'], ['4\x1e4'], ['4\x1e4"after"']])('survives the polling POST body %j', async (body) => {
    const open = await httpCall(env.child().port, 'GET', '/primus/?EIO=4&transport=polling');
    expect(open.status).toBe(200);
    const sid = JSON.parse(open.body.slice(1)).sid as string;
    const post = await httpCall(env.child().port, 'POST', `/primus/?EIO=4&transport=polling&sid=${sid}`, body, {
      'Content-Type': 'text/plain;charset=UTF-8',
    });
    expect(post).toEqual({ status: 200, body: 'ok' });
    await stillServing(env);
  });
});

describe('SockJS: messages that are not strings (issue 13, item 2)', () => {
  const env = serverFor('sockjs');
  const BODIES = ['[null]', '["a",null]', '[{"length":1e9}]', '[1,true,{}]'];

  it.each([['null'], ...BODIES.map((b) => [b]), ['{"length":1e9}']])('survives the WebSocket frame %s and keeps the session', async (frame) => {
    const ws = await rawWebSocket(env.child(), `/primus/000/frames${Math.random().toString(36).slice(2, 8)}/websocket`);
    await nextMessage(ws, (text) => text === 'o');
    ws.send(frame);
    ws.send(JSON.stringify([JSON.stringify('after')]));
    await nextMessage(ws, (text) => text === 'a' + JSON.stringify([JSON.stringify('after')]));
    ws.terminate();
    expect(env.child().logged('ALLSPARK_PARSE').some((e) => /a message must be a string/.test(e.message))).toBe(true);
    await stillServing(env);
  });

  it.each(BODIES.map((b) => [b]))('answers xhr_send and jsonp_send with %s as it answers a good body', async (body) => {
    const port = env.child().port;
    for (const [session, transport, encode] of [
      ['xhrsend', 'xhr_send', (b: string) => b],
      ['jsonpsend', 'jsonp_send', (b: string) => 'd=' + encodeURIComponent(b)],
    ] as const) {
      const id = `${session}${Math.random().toString(36).slice(2, 8)}`;
      expect((await httpCall(port, 'POST', `/primus/000/${id}/xhr`)).body).toBe('o\n');
      const headers = { 'Content-Type': transport === 'jsonp_send' ? 'application/x-www-form-urlencoded' : 'text/plain' };
      const good = await httpCall(port, 'POST', `/primus/000/${id}/${transport}`, encode('["\\"x\\""]'), headers);
      const bad = await httpCall(port, 'POST', `/primus/000/${id}/${transport}`, encode(body), headers);
      expect(good.status).toBe(transport === 'xhr_send' ? 204 : 200);
      expect(bad).toEqual(good);
    }
    await stillServing(env);
  });
});

describe.each(TRANSFORMERS)('%s: refused upgrades reset by the client (issue 13, items 3 and 4)', (transformer) => {
  const env = serverFor(transformer, 'json', true);
  const REQUESTS: Array<[string, string]> = [
    ['401 from the authorizer', upgradeRequest('/primus/?refuse=1&EIO=4&transport=websocket')],
    ['404 outside the pathname', upgradeRequest('/elsewhere')],
    ['a NUL in the path', upgradeRequest('/primus%00')],
    ['Upgrade: foo on a SockJS endpoint', upgradeRequest('/primus/000/abcdef/websocket', [], 'foo')],
    ['/primus/../x', upgradeRequest('/primus/../x')],
  ];

  it.each(REQUESTS)('survives %s followed by a reset, 50 times', async (_name, request) => {
    const delays: Array<number | 'answer'> = [0, 1, 'answer', 3, 10];
    for (let i = 0; i < 50; i += 5) await Promise.all(delays.map((d) => sendAndReset(env.child().port, request, d)));
    await stillServing(env);
  });
});

describe('msgpack: frames that blew up memory or stalled the event loop (issue 13, items 5 and 6)', () => {
  const env = serverFor('websockets', 'msgpack');

  /** `levels` ext32 wrappers (msgpack-lite Boolean object, 0x0b) around a nil. */
  function nestedExtensions(levels: number): Buffer {
    const out = Buffer.alloc(levels * 6 + 1);
    for (let i = 0, pos = 0; i < levels; i++, pos += 6) {
      out[pos] = 0xc9;
      out.writeUInt32BE((levels - 1 - i) * 6 + 1, pos + 1);
      out[pos + 5] = 0x0b;
    }
    out[levels * 6] = 0xc0;
    return out;
  }

  /** One BigInt extension (0x42) with a payload of `bytes` bytes. */
  function bigInt(bytes: number): Buffer {
    const out = Buffer.alloc(bytes + 6, 0x5a);
    out[0] = 0xc9;
    out.writeUInt32BE(bytes, 1);
    out[5] = 0x42;
    return out;
  }

  it.each([
    ['1.6M nested extension wrappers (8 MB)', () => nestedExtensions(1_600_000), /maxExtensionDepth/],
    ['an 8 MB BigInt extension', () => bigInt(8 << 20), /maxBigIntBytes/],
    ['a 1 MB BigInt extension', () => bigInt(1 << 20), /maxBigIntBytes/],
  ])('refuses %s with a ParserError, keeps the connection, memory and event loop', async (_name, frame, reason) => {
    const before = await env.child().stats();
    const ws = await rawWebSocket(env.child(), '/primus');
    const after = msgpackCodec.encode({ after: 1 }) as Uint8Array;
    ws.send(frame());
    ws.send(after);
    await nextMessage(ws, (_text, data) => Buffer.compare(data, Buffer.from(after)) === 0);
    expect(env.child().logged('ALLSPARK_PARSE').some((e) => reason.test(e.message))).toBe(true);
    ws.terminate();
    await stillServing(env);
    const stats = await env.child().stats();
    // Primus's own msgpack parser takes 132 MiB for the wrappers; we read the frame and refuse it.
    expect(stats.rss - before.rss).toBeLessThan(128 << 20);
  });
});
