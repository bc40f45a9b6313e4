/**
 * Option schemas, typed without naming a zod version: zod 3 (3.25 and
 * later) and zod 4 schemas both carry the Standard Schema property
 * `~standard`, whose `types` give the input and output types. A plugin
 * author uses whichever zod they installed; nothing here loads zod.
 */

/** What the kernel needs of an options schema: a zod 3.25+ or zod 4 schema (any Standard Schema v1). */
export interface OptionsSchema<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => unknown;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

// zod's own `_input`/`_output` are read first: inferring through `~standard` on a large zod
// object schema (the cluster plugin's) exceeds TypeScript's instantiation depth.

/** The options a schema accepts (`kernel.use(plugin, options)`). */
export type InputOf<S> = S extends { readonly _input: infer Input } ? Input : S extends OptionsSchema<infer Input, any> ? Input : never;

/** The options a schema produces (what the server half receives, defaults applied). */
export type OutputOf<S> = S extends { readonly _output: infer Output } ? Output : S extends OptionsSchema<any, infer Output> ? Output : never;

/** The schema type of a plugin that declares no options: none may be given. */
export type NoOptions = OptionsSchema<Record<string, never>, Record<string, never>>;
