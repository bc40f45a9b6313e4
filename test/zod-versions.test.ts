/**
 * Plugin options from zod 3 and zod 4 (classic and mini): the installed
 * zod 3.25 ships all three APIs, so one file proves each. Types are
 * checked by tsc (`npm run typecheck`), values by jest.
 */
import { z as z3 } from 'zod';
import { z as z4 } from 'zod/v4';
import * as zm from 'zod/v4-mini';
import { createKernel, definePlugin, type PluginOptions } from '../index';
import { thrown } from './helpers/errors';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

/** The same plugin, its options written with each API. */
function withSchema<S extends Parameters<typeof definePlugin>[0]['options']>(name: string, options: S) {
  const seen: unknown[] = [];
  const plugin = definePlugin({ name, options, server: (_ctx, parsed) => void seen.push(parsed) });
  return { plugin, seen };
}

const v3 = definePlugin({
  name: 'v3',
  options: z3.object({ room: z3.string().default('lobby'), size: z3.number().int().positive().optional() }).strict(),
  server(_ctx, options) {
    assertType<Equal<typeof options, { room: string; size?: number | undefined }>>();
  },
});

const v4 = definePlugin({
  name: 'v4',
  options: z4.strictObject({ room: z4.string().default('lobby'), size: z4.number().int().positive().optional() }),
  server(_ctx, options) {
    assertType<Equal<typeof options, { room: string; size?: number | undefined }>>();
  },
});

const mini = definePlugin({
  name: 'mini',
  options: zm.strictObject({ room: zm._default(zm.string(), 'lobby') }),
  server(_ctx, options) {
    assertType<Equal<typeof options, { room: string }>>();
  },
});

const none = definePlugin({ name: 'none', server: () => undefined });

describe('plugin options with zod 3 and zod 4', () => {
  test('input and output types are inferred from either', () => {
    assertType<Equal<PluginOptions<typeof v3>, { room?: string | undefined; size?: number | undefined }>>();
    assertType<Equal<PluginOptions<typeof v4>, { room?: string | undefined; size?: number | undefined }>>();
    assertType<Equal<PluginOptions<typeof mini>, { room?: string | undefined }>>();
    const kernel = createKernel().use(v3, { size: 2 }).use(v4, { room: 'a' }).use(mini).use(none);
    // @ts-expect-error: a zod 4 schema's option types are enforced at compile time
    expect(() => createKernel().use(v4, { size: 'two' })).toThrow();
    // @ts-expect-error: a plugin without options takes none
    expect(() => createKernel().use(none, { size: 1 })).toThrow(/size: unknown option/);
    expect(kernel.plugins().map((p) => p.options)).toEqual([{ room: 'lobby', size: 2 }, { room: 'a' }, { room: 'lobby' }, {}]);
  });

  test.each([
    ['zod 3', z3.object({ n: z3.union([z3.number(), z3.literal(false)]) }).strict()],
    ['zod 4', z4.strictObject({ n: z4.union([z4.number(), z4.literal(false)]) })],
    ['zod 4 mini', zm.strictObject({ n: zm.union([zm.number(), zm.literal(false)]) })],
  ])('%s: bad options name the plugin, the path and what was expected', (_api, schema) => {
    const { plugin } = withSchema('bad', schema);
    const err = thrown(() => createKernel().use(plugin, { n: 'x', extra: 1 } as never));
    expect(err.code).toBe('ALLSPARK_PLUGIN_OPTIONS');
    expect(err.message).toBe('Invalid options for plugin "bad": n: expected number or false, received string; extra: unknown option');
  });

  test.each([
    ['zod 3', z3.object({ n: z3.number().default(1) })],
    ['zod 4', z4.object({ n: z4.number().default(1) })],
    ['zod 4 mini', zm.object({ n: zm._default(zm.number(), 1) })],
  ])('%s: defaults reach the server half', (_api, schema) => {
    const { plugin, seen } = withSchema('ok', schema);
    createKernel().use(plugin, {});
    expect(seen).toEqual([{ n: 1 }]);
  });
});
