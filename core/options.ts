import { z } from 'zod';
import { AllsparkError, ErrorCodes } from './errors';

/** Format zod issues as `path: message` lines. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(options)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Validate `input` against `schema`, or throw an {@link AllsparkError} with
 * `code` whose message names `owner` and every failing option path.
 */
export function validateOptions<S extends z.ZodType>(
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
