/**
 * Cases that depend on what a transport can carry. Each transformer either
 * does the thing, or refuses it with a clear error, per the CAPABILITIES
 * table (never a silent skip).
 */
import { createServer } from 'node:http';
import { Primus } from '../../index';
import {
  CAPABILITIES,
  DEFLATE_NEEDS_PACKAGE,
  SOCKJS_TEXT_ONLY,
  TRANSFORMERS,
  type TransformerName,
} from './capabilities';
import { next, nextSpark, ours, real, start, stop, take, type Env } from './harness';

const BYTES = Buffer.from([0, 1, 2, 250, 255, 128, 10, 13]);

describe.each(TRANSFORMERS)('capabilities: %s', (transformer: TransformerName) => {
  const caps = CAPABILITIES[transformer];
  let env: Env | undefined;

  afterEach(async () => {
    await stop(env);
    env = undefined;
  });

  for (const parser of ['msgpack', 'binary'] as const) {
    if (caps.binary) {
      it(`carries the ${parser} parser: bytes and objects both ways (ours and Primus 8)`, async () => {
        env = await start(transformer, { parser });
        env.primus.on('connection', (spark: any) => spark.on('data', (d: unknown) => spark.write(d)));
        const a = ours(env);
        const b = real(env, {}, '', { parser });
        const values = [{ bytes: BYTES, n: 1, s: 'ü' }, 'text', [1, 2, 3]];
        for (const client of [a, b]) {
          const got = take(client, 'data', values.length);
          for (const v of values) client.write(v);
          const echoed = await got;
          expect(Buffer.from(echoed[0].bytes)).toEqual(BYTES);
          expect(echoed[0].n).toBe(1);
          expect(echoed[0].s).toBe('ü');
          expect(echoed.slice(1)).toEqual(values.slice(1));
        }
      });
    } else {
      it(`refuses the ${parser} parser when attaching: ${SOCKJS_TEXT_ONLY}`, () => {
        const server = createServer();
        let error: (Error & { code?: string }) | undefined;
        try {
          new Primus(server, { transformer, parser });
        } catch (err) {
          error = err as Error & { code?: string };
        }
        expect(error?.code).toBe('ALLSPARK_SLOT');
        expect(error?.message).toBe(
          `The "${parser}" parser needs binary frames, which the "${transformer}" transformer cannot carry`,
        );
        expect(server.listenerCount('request')).toBe(0);
      });
    }
  }

  if (caps.builtinCompression) {
    it('compresses with `compression: true` (permessage-deflate negotiated) and still echoes', async () => {
      env = await start(transformer, { compression: true });
      env.primus.on('connection', (spark: any) => spark.on('data', (d: unknown) => spark.write(d)));
      const spark = nextSpark(env);
      const a = ours(env);
      const echoed = next(a, 'data');
      a.write('z'.repeat(10_000));
      expect(await echoed).toBe('z'.repeat(10_000));
      const s: any = await spark;
      await new Promise<void>((resolve) => {
        if (transformer !== 'engine.io' || s.socket.transport.name === 'websocket') return resolve();
        s.socket.once('upgrade', () => resolve());
      });
      const ws = transformer === 'engine.io' ? s.socket.transport.socket : s.socket;
      expect(ws.extensions).toMatch(/permessage-deflate/);
    });
  } else {
    it(`refuses \`compression: true\` with a clear error: ${DEFLATE_NEEDS_PACKAGE}`, () => {
      expect(() => require.resolve('permessage-deflate')).toThrow();
      let error: (Error & { code?: string }) | undefined;
      try {
        new Primus(createServer(), { transformer, compression: true });
      } catch (err) {
        error = err as Error & { code?: string };
      }
      expect(error?.code).toBe('ALLSPARK_PLUGIN_OPTIONS');
      expect(error?.message).toMatch(new RegExp(`^Plugin "${transformer}": compression needs the "permessage-deflate" package`));
    });
  }
});
