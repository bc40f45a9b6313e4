import { z } from 'zod';
import { AllsparkError, ErrorCodes } from './errors';

/** The schema of a plugin that declares no options: none may be given. */
export const NO_OPTIONS = z.object({}).strict();

function pathOf(path: (string | number)[]): string {
  return path.length > 0 ? path.join('.') : '(options)';
}

/** What a union expected, from its branches' type/literal issues: `number or false`. */
function expectedOfUnion(issue: z.ZodInvalidUnionIssue): string | undefined {
  const expected: string[] = [];
  let received: string | undefined;
  for (const branch of issue.unionErrors) {
    for (const inner of branch.issues) {
      if (inner.path.length !== issue.path.length) continue;
      if (inner.code === 'invalid_type') {
        expected.push(inner.expected);
        received = inner.received;
      } else if (inner.code === 'invalid_literal') {
        expected.push(JSON.stringify(inner.expected));
      }
    }
  }
  if (expected.length === 0) return undefined;
  return `expected ${[...new Set(expected)].join(' or ')}${received ? `, received ${received}` : ''}`;
}

/** One issue as `path: what was expected`, naming unknown keys by their own path. */
function formatIssue(issue: z.ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${pathOf([...issue.path, key])}: unknown option`).join('; ');
  }
  if (issue.code === 'invalid_union') {
    const expected = expectedOfUnion(issue);
    if (expected) return `${pathOf(issue.path)}: ${expected}`;
  }
  return `${pathOf(issue.path)}: ${issue.message}`;
}

/** Format zod issues as `path: message` parts joined by `; `. */
function formatIssues(error: z.ZodError): string {
  return error.issues.map(formatIssue).join('; ');
}

/**
 * Validate `input` against `schema`, or throw an {@link AllsparkError} with
 * `code` whose message names `owner` and every failing option path.
 */
export function validateOptions<S extends z.ZodTypeAny>(
  schema: S,
  input: unknown,
  owner: string,
  code: (typeof ErrorCodes)[keyof typeof ErrorCodes] = ErrorCodes.PLUGIN_OPTIONS,
): z.output<S> {
  const result = schema.safeParse(input === undefined ? {} : input);
  if (result.success) return result.data;
  const err = new AllsparkError(code, `Invalid options for ${owner}: ${formatIssues(result.error)}`, {
    cause: result.error,
  });
  (err as AllsparkError & { issues?: unknown }).issues = result.error.issues;
  throw err;
}

/** A schema for "any function" (zod 4 has no function schema). */
export function fn<T extends (...args: any[]) => unknown>(what = 'a function') {
  return z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` });
}
