/**
 * Property tests of the control-message parser (`primus::<type>::<value>`)
 * and of the kernel answering control messages that arrive from a real
 * connection: nothing a peer sends in that namespace throws, and the
 * connection keeps working.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { CONTROL_PREFIX, controlMessage, parseControl } from '../../core/control';
import { startKernel, stopAll } from '../helpers/kernel';
import { once } from '../helpers/net';
import { fuzzParameters, fuzzTimeout } from './settings';

type Env = Awaited<ReturnType<typeof startKernel>>;

/** Strings in and around the control namespace. */
const controlish = fc.oneof(
  fc.string(),
  fc.string().map((s) => CONTROL_PREFIX + s),
  fc.tuple(fc.constantFrom('ping', 'pong', 'id', 'server', 'x', '', ':'), fc.string()).map(([t, v]) => `${CONTROL_PREFIX}${t}::${v}`),
  fc.tuple(fc.string(), fc.string()).map(([t, v]) => `${CONTROL_PREFIX}${t}::${v}`),
  fc.constantFrom('primus::', 'primus:', 'primus::::', 'primus::pong', 'primus::pong:', 'primus::pong::', 'p', 'primus::server::close'),
);

describe('parseControl', () => {
  it('never throws, and answers only for strings in the namespace', () => {
    fc.assert(
      fc.property(fc.oneof(controlish, fc.anything({ maxDepth: 1 })), (data) => {
        const control = parseControl(data);
        if (typeof data !== 'string' || !data.startsWith(CONTROL_PREFIX)) {
          expect(control).toBeUndefined();
          return;
        }
        if (control === undefined) {
          expect(data.indexOf(':', 8)).toBe(-1);
          return;
        }
        expect(control.type.includes(':')).toBe(false);
        expect(data.startsWith(CONTROL_PREFIX + control.type + ':')).toBe(true);
        expect(data.endsWith(control.value)).toBe(true);
      }),
      fuzzParameters(300, 50_000),
    );
  });

  it('reads back what controlMessage writes, for types without a colon', () => {
    const type = fc.string().filter((t) => !t.includes(':'));
    fc.assert(
      fc.property(type, fc.oneof(fc.string(), fc.integer()), (t, value) => {
        expect(parseControl(controlMessage(t, value))).toEqual({ type: t, value: String(value) });
      }),
      fuzzParameters(300, 50_000),
    );
  });
});

describe('control messages from a live connection', () => {
  let env: Env;
  let ws: WebSocket & { received: unknown[] };

  beforeAll(async () => {
    env = await startKernel((kernel) => kernel.on('connection', (spark) => spark.on('data', (d: unknown) => spark.write(d))));
    ws = Object.assign(new WebSocket(env.url.replace('http', 'ws') + '/primus'), { received: [] as unknown[] });
    ws.on('message', (data: Buffer) => ws.received.push(JSON.parse(data.toString())));
    await once(ws, 'open');
  });
  afterAll(async () => {
    ws?.terminate();
    await stopAll(env);
  });

  it(
    'answers or delivers every one and keeps the connection',
    async () => {
      let probe = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(controlish, { minLength: 1, maxLength: 10 }), async (messages) => {
          for (const message of messages) ws.send(JSON.stringify(message));
          const mark = { probe: ++probe };
          ws.send(JSON.stringify(mark));
          const deadline = Date.now() + 10_000;
          while (!ws.received.some((m) => (m as { probe?: number } | null)?.probe === mark.probe)) {
            if (Date.now() > deadline || ws.readyState !== WebSocket.OPEN) throw new Error(`no echo of probe ${mark.probe}`);
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          ws.received.length = 0;
        }),
        fuzzParameters(100, 2_000),
      );
      expect(env.kernel.connected).toBe(1);
    },
    fuzzTimeout(),
  );
});
