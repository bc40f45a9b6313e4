/**
 * Type-level tests: `npm test` type-checks this file with tsc (tsconfig.json),
 * so a wrong inference fails the build; the runtime part only checks values.
 */
import { z } from 'zod';
import type { Server } from 'node:http';
import { clientFor, createKernel, definePlugin, heartbeat, Primus, type Client, type PluginOptions, type Spark } from '../index';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

const greet = definePlugin({
  name: 'greet',
  options: z.object({ text: z.string().default('hi'), times: z.number().optional() }).strict(),
  server(_ctx, options) {
    // Options are inferred from the schema: defaults make fields required after parsing.
    assertType<Equal<typeof options, { text: string; times?: number | undefined }>>();
  },
});

declare module '../core/spark' {
  interface SparkDecorations {
    nickname?: string;
  }
}

// A plugin's own events, added by augmentation of the root module as a third-party package would.
declare module '../index' {
  interface SparkEvents {
    'demo:typing': [who: string, on: boolean];
  }
  interface KernelEvents {
    'room:created': [room: string];
  }
  interface ClientEvents {
    'demo:typing': [who: string];
  }
}

describe('types', () => {
  test('plugin options are inferred from the schema, input and output', () => {
    assertType<Equal<PluginOptions<typeof greet>, { text?: string | undefined; times?: number | undefined }>>();
    const kernel = createKernel().use(greet, { text: 'hello' }).use(heartbeat, { pingInterval: false });
    // @ts-expect-error: wrong option type is a compile error as well as a runtime one
    expect(() => kernel.use(definePlugin({ name: 'x', options: z.object({ n: z.number() }) }), { n: 'one' })).toThrow();
    // @ts-expect-error: unknown plugin options do not compile
    expect(() => createKernel().use(greet, { txt: 'typo' })).toThrow(/txt: unknown option/);
  });

  test('spark decorations are typed through augmentation', () => {
    const read = (spark: Spark): string | undefined => spark.nickname;
    expect(typeof read).toBe('function');
    assertType<Equal<Primus['pathname'], string>>();
  });

  test('events are typed: listeners get their arguments, unknown names do not compile', () => {
    const kernel = createKernel();
    kernel.on('connection', (spark) => {
      assertType<Equal<typeof spark, Spark>>();
      spark.on('data', (data, raw) => {
        assertType<Equal<typeof data, unknown>>();
        spark.write(data ?? raw);
      });
      spark.on('end', () => undefined);
      spark.on('demo:typing', (who, on) => assertType<Equal<[typeof who, typeof on], [string, boolean]>>());
      // @ts-expect-error: a misspelled spark event
      spark.on('dta', () => undefined);
      // @ts-expect-error: wrong argument type for an augmented event
      spark.emit('demo:typing', 'ann', 'yes');
    });
    kernel.on('log', (level, ...args) => assertType<Equal<[typeof level, typeof args], [string, unknown[]]>>());
    kernel.on('room:created', (room) => assertType<Equal<typeof room, string>>());
    // @ts-expect-error: a misspelled kernel event
    kernel.on('conection', () => undefined);
    // @ts-expect-error: a listener that wants the wrong argument
    kernel.on('connection', (spark: string) => spark);
    // The lines that do not compile still run: two `connection` listeners.
    expect(kernel.listenerCount('connection')).toBe(2);
    expect(kernel.emit('room:created', 'lobby')).toBe(true);
  });

  test('client and facade events are typed', () => {
    const kernel = createKernel();
    const client = (Socket: ReturnType<typeof clientFor>): Client => {
      const c = new Socket('http://127.0.0.1:1', { manual: true });
      c.on('data', (message) => assertType<Equal<typeof message, unknown>>());
      c.on('reconnect scheduled', (state) => assertType<Equal<typeof state.attempt, number>>());
      c.on('demo:typing', (who) => assertType<Equal<typeof who, string>>());
      // @ts-expect-error: a misspelled client event
      c.on('opne', () => undefined);
      return c;
    };
    const facade = (server: Server): Primus => {
      const primus = new Primus(server);
      primus.on('connection', (spark, next) => {
        assertType<Equal<typeof spark, Spark>>();
        next();
      });
      primus.on('initialised', (_transformer, parser) => assertType<Equal<typeof parser.name, string | undefined>>());
      // @ts-expect-error: a misspelled facade event
      primus.on('disconnect', () => undefined);
      return primus;
    };
    expect([typeof client, typeof facade, kernel.listenerCount('log')]).toEqual(['function', 'function', 0]);
  });
});
