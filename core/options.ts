import { z } from 'zod/v3';
import { AllsparkError, ErrorCodes } from './errors';
import type { OptionsSchema, OutputOf } from './schema';

/** The schema of a plugin that declares no options: none may be given. */
export const NO_OPTIONS = z.object({}).strict();

/**
 * One validation issue as zod 3 and zod 4 report it. The fields differ by
 * version (zod 3: `unionErrors`, `invalid_literal`, `received`; zod 4:
 * `errors`, `invalid_value`), so every one but `message` is optional.
 */
export interface Issue {
  code?: string;
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  keys?: string[];
  expected?: unknown;
  received?: unknown;
  values?: unknown[];
  unionErrors?: Array<{ issues: Issue[] }>;
  errors?: Issue[][];
}

/**
 * An issue's path as text: `a.b.0`, or `root` for the value itself (zod 4
 * and Standard Schema paths may hold `{ key }`).
 */
export function pathOf(path: Issue['path'] = [], root = '(options)'): string {
  const keys = path.map((part) => String(typeof part === 'object' && part !== null ? part.key : part));
  return keys.length > 0 ? keys.join('.') : root;
}

/** What a union expected, from its branches' type/literal issues: `number or false`. */
function expectedOfUnion(issue: Issue): string | undefined {
  const branches = issue.unionErrors?.map((e) => e.issues) ?? issue.errors ?? [];
  const depth = issue.path?.length ?? 0;
  const expected: string[] = [];
  let received: string | undefined;
  for (const inner of branches.flat()) {
    // zod 3 reports branch issues with the full path, zod 4 relative to the union.
    const innerDepth = inner.path?.length ?? 0;
    if (innerDepth !== depth && innerDepth !== 0) continue;
    if (inner.code === 'invalid_type') {
      expected.push(String(inner.expected));
      // zod 4 has no `received` field; its message ends with it.
      const got = inner.received ?? /received (\S+)$/.exec(inner.message)?.[1];
      if (got !== undefined) received = String(got);
    } else if (inner.code === 'invalid_literal') {
      expected.push(JSON.stringify(inner.expected));
    } else if (inner.code === 'invalid_value' && inner.values) {
      expected.push(...inner.values.map((v) => JSON.stringify(v)));
    }
  }
  if (expected.length === 0) return undefined;
  return `expected ${[...new Set(expected)].join(' or ')}${received ? `, received ${received}` : ''}`;
}

/** One issue as `path: what was expected`, naming unknown keys by their own path. */
function formatIssue(issue: Issue): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return issue.keys.map((key) => `${pathOf([...(issue.path ?? []), key])}: unknown option`).join('; ');
  }
  if (issue.code === 'invalid_union') {
    const expected = expectedOfUnion(issue);
    if (expected) return `${pathOf(issue.path)}: ${expected}`;
  }
  // zod 4 prefixes type errors with "Invalid input: "; the path already says where.
  return `${pathOf(issue.path)}: ${issue.message.replace(/^Invalid input: /, '')}`;
}

/** What {@link runSchema} gives: zod's `safeParse` result shape, for either zod version. */
export type SchemaResult = { success: true; data: unknown } | { success: false; error: { issues: Issue[] } };

/**
 * Run `schema` on `input`: zod's own `safeParse` (zod 3 and zod 4 classic),
 * else the Standard Schema `validate` (zod 4 mini and other libraries).
 * Schemas must validate synchronously.
 */
export function runSchema(schema: OptionsSchema, input: unknown): SchemaResult {
  const zod = schema as { safeParse?: (value: unknown) => SchemaResult };
  if (typeof zod.safeParse === 'function') return zod.safeParse(input);
  const result = schema['~standard'].validate(input) as { value?: unknown; issues?: Issue[] } | PromiseLike<unknown>;
  if (typeof (result as PromiseLike<unknown>).then === 'function') {
    return { success: false, error: { issues: [{ message: 'options schemas must validate synchronously' }] } };
  }
  const { issues, value } = result as { value?: unknown; issues?: Issue[] };
  return issues ? { success: false, error: { issues } } : { success: true, data: value };
}

/**
 * Validate `input` against `schema` (zod 3.25+ or zod 4), or throw an
 * {@link AllsparkError} with `code` whose message names `owner` and every
 * failing option path.
 */
export function validateOptions<S extends OptionsSchema>(
  schema: S,
  input: unknown,
  owner: string,
  code: (typeof ErrorCodes)[keyof typeof ErrorCodes] = ErrorCodes.PLUGIN_OPTIONS,
): OutputOf<S> {
  const result = runSchema(schema, input === undefined ? {} : input);
  if (result.success) return result.data as OutputOf<S>;
  const issues = result.error.issues;
  const err = new AllsparkError(code, `Invalid options for ${owner}: ${issues.map(formatIssue).join('; ')}`, {
    cause: result.error,
  });
  (err as AllsparkError & { issues?: unknown }).issues = issues;
  throw err;
}

/** A schema for "any function" (zod 4 has no function schema). */
export function fn<T extends (...args: any[]) => unknown>(what = 'a function') {
  return z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` });
}
