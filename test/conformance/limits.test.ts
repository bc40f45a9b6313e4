/**
 * `maxLength` on every path each transformer has: WebSocket frames, and the
 * HTTP fallbacks driven with raw requests (Primus let a 100 kB SockJS
 * `xhr_send` through with maxLength 100, spec §7.23). Every refusal closes
 * the connection with an ALLSPARK_MAX_LENGTH error on the spark and the log.
 */
import { randomBytes } from 'node:crypto';
import type { Spark } from '../../core/spark';
import { TRANSFORMERS, type TransformerName } from './capabilities';
import { http, loggedError, next, nextSpark, ours, start, stop, type Env } from './harness';

const MAX = 1000;

/** A JSON frame of exactly `bytes` bytes: a string of x's in quotes. */
const frameOf = (bytes: number): string => `"${'x'.repeat(bytes - 2)}"`;

/** Open a SockJS session by hand (`xhr` poll answers `o`), as a browser fallback would. */
async function rawSockjs(env: Env): Promise<{ base: string; spark: Spark }> {
  const base = `/primus/000/${randomBytes(4).toString('hex')}`;
  const spark = nextSpark(env);
  const opened = await http(env, 'POST', `${base}/xhr`);
  expect(opened.body).toBe('o\n');
  return { base, spark: await spark };
}

/** Handshake an engine.io polling session by hand; returns its sid. */
async function rawEngine(env: Env): Promise<{ sid: string; spark: Spark }> {
  const spark = nextSpark(env);
  const res = await http(env, 'GET', '/primus/?EIO=4&transport=polling');
  expect(res.status).toBe(200);
  const open = JSON.parse(res.body.slice(1));
  return { sid: open.sid, spark: await spark };
}

interface Overflow {
  spark: Spark;
  /** For raw HTTP sessions: poll once more and check the client is told the session closed. */
  told?: () => Promise<void>;
}

interface Path {
  name: string;
  /** Connect, send something over `maxLength` on this path. */
  overflow(env: Env): Promise<Overflow>;
}

/** The next SockJS poll hands over the close frame (code 1000: Primus clients read more as an error). */
const sockjsTold = (env: Env, base: string) => async () => {
  const poll = await http(env, 'POST', `${base}/xhr`);
  expect(poll.body).toBe('c[1000,"Normal closure"]\n');
};

/** The next engine.io poll hands over the close packet. */
const engineTold = (env: Env, sid: string) => async () => {
  const poll = await http(env, 'GET', `/primus/?EIO=4&transport=polling&sid=${sid}`);
  expect(poll.body.split('\x1e').pop()).toBe('1');
};

/** An oversized message from our client, over whatever transport it uses. */
const clientWrite = (name: string, size: number, options: Record<string, unknown> = {}): Path => ({
  name,
  async overflow(env) {
    const spark = nextSpark(env);
    const client = ours(env, options);
    await next(client, 'open');
    client.write(JSON.parse(frameOf(size)));
    return { spark: await spark };
  },
});

const PATHS: Record<TransformerName, Path[]> = {
  websockets: [clientWrite('WebSocket frame one byte over', MAX + 1), clientWrite('WebSocket frame of 100 kB', 100_000)],
  faye: [clientWrite('WebSocket frame one byte over', MAX + 1), clientWrite('WebSocket frame of 100 kB', 100_000)],
  'engine.io': [
    clientWrite('polling POST, message one byte over', MAX + 1, { websockets: false }),
    {
      name: 'raw polling POST of 100 kB (engine.io answers 413)',
      async overflow(env) {
        const { sid, spark } = await rawEngine(env);
        const res = await http(env, 'POST', `/primus/?EIO=4&transport=polling&sid=${sid}`, '4' + frameOf(100_000), {
          'Content-Type': 'text/plain;charset=UTF-8',
        });
        expect([413, 0]).toContain(res.status);
        return { spark, told: engineTold(env, sid) };
      },
    },
    {
      name: 'raw WebSocket-only engine.io-client, 100 kB message',
      async overflow(env) {
        const { Socket } = require('engine.io-client');
        const spark = nextSpark(env);
        const socket = new Socket(env.url, { path: '/primus', transports: ['websocket'] });
        env.clients.push({ destroy: () => socket.close() });
        await next(socket, 'open');
        socket.send(frameOf(100_000));
        return { spark: await spark };
      },
    },
    {
      name: 'raw WebSocket-only engine.io-client, message one byte over',
      async overflow(env) {
        const { Socket } = require('engine.io-client');
        const spark = nextSpark(env);
        const socket = new Socket(env.url, { path: '/primus', transports: ['websocket'] });
        env.clients.push({ destroy: () => socket.close() });
        await next(socket, 'open');
        socket.send(frameOf(MAX + 1));
        return { spark: await spark };
      },
    },
  ],
  sockjs: [
    clientWrite('WebSocket message one byte over', MAX + 1),
    clientWrite('WebSocket frame of 100 kB (over the frame limit)', 100_000),
    clientWrite('xhr-streaming fallback, message one byte over', MAX + 1, { websockets: false }),
    {
      name: 'raw xhr_send of 100 kB (refused with 413 before sockjs buffers it)',
      async overflow(env) {
        const { base, spark } = await rawSockjs(env);
        const res = await http(env, 'POST', `${base}/xhr_send`, JSON.stringify([frameOf(100_000)]), {
          'Content-Type': 'text/plain;charset=UTF-8',
        });
        expect([413, 0]).toContain(res.status);
        return { spark, told: sockjsTold(env, base) };
      },
    },
    {
      name: 'raw xhr_send, one message one byte over inside a small body',
      async overflow(env) {
        const { base, spark } = await rawSockjs(env);
        const res = await http(env, 'POST', `${base}/xhr_send`, JSON.stringify([frameOf(MAX + 1)]), {
          'Content-Type': 'text/plain;charset=UTF-8',
        });
        expect(res.status).toBe(204);
        return { spark, told: sockjsTold(env, base) };
      },
    },
    {
      name: 'raw xhr_send of 100 kB without Content-Length (chunked)',
      async overflow(env) {
        const { base, spark } = await rawSockjs(env);
        const res = await http(env, 'POST', `${base}/xhr_send`, JSON.stringify([frameOf(100_000)]), {
          'Content-Type': 'text/plain;charset=UTF-8',
          'Transfer-Encoding': 'chunked',
        });
        expect([413, 0]).toContain(res.status);
        return { spark, told: sockjsTold(env, base) };
      },
    },
    {
      name: 'raw jsonp_send, message one byte over',
      async overflow(env) {
        const { base, spark } = await rawSockjs(env);
        const body = 'd=' + encodeURIComponent(JSON.stringify([frameOf(MAX + 1)]));
        const res = await http(env, 'POST', `${base}/jsonp_send`, body, {
          'Content-Type': 'application/x-www-form-urlencoded',
        });
        expect(res.status).toBe(200);
        return { spark, told: sockjsTold(env, base) };
      },
    },
  ],
};

describe.each(TRANSFORMERS)('maxLength: %s', (transformer: TransformerName) => {
  let env: Env | undefined;

  afterEach(async () => {
    await stop(env);
    env = undefined;
  });

  it('accepts a message of exactly maxLength bytes', async () => {
    env = await start(transformer, { maxLength: MAX });
    const spark = nextSpark(env);
    const client = ours(env);
    const got = next((await spark) as any, 'data');
    client.write(JSON.parse(frameOf(MAX)));
    expect(await got).toBe(JSON.parse(frameOf(MAX)));
  });

  it.each(PATHS[transformer].map((p) => [p.name, p] as const))('refuses %s with ALLSPARK_MAX_LENGTH', async (_name, path) => {
    env = await start(transformer, { maxLength: MAX });
    const errors: Array<Error & { code?: string }> = [];
    env.primus.on('connection', (spark: any) => spark.on('error', (err: Error) => errors.push(err)));
    const { spark, told } = await path.overflow(env);
    if (spark.readyState !== 2) await next(spark, 'end');
    await told?.();
    const logged = await loggedError(env, 'ALLSPARK_MAX_LENGTH');
    expect(logged.level).toBe('error');
    expect(logged.error.message).toMatch(/exceeds maxLength/);
    expect(errors.map((e) => e.code)).toEqual(['ALLSPARK_MAX_LENGTH']);
    expect(env.primus.connections[spark.id]).toBeUndefined();
  });
});
