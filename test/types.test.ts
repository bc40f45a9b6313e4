/**
 * Type-level tests: `npm test` type-checks this file with tsc (tsconfig.json),
 * so a wrong inference fails the build; the runtime part only checks values.
 */
import { z } from 'zod';
import { createKernel, definePlugin, heartbeat, Primus, type PluginOptions, type Spark } from '../index';

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
});
