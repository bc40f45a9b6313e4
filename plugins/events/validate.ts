import type { z } from 'zod/v3';
import { ackError, type CodedError } from './acks';

/** A zod path as text: `items.0.name`, or `(root)` for the payload itself. */
function pathOf(path: ReadonlyArray<string | number>): string {
  return path.length === 0 ? '(root)' : path.join('.');
}

/**
 * Check `value` against `schema`: the parsed value, or an
 * ALLSPARK_EVENT_INVALID error naming the event, the first failing path
 * and zod's message, with every issue in `issues`.
 */
export function validate(schema: z.ZodTypeAny, value: unknown, event: string, what: string): { value: unknown } | CodedError {
  const result = schema.safeParse(value);
  if (result.success) return { value: result.data };
  const issues = result.error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message }));
  const first = issues[0] ?? { path: '(root)', message: 'invalid' };
  return ackError('ALLSPARK_EVENT_INVALID', `Invalid ${what} for event "${event}" at ${first.path}: ${first.message}`, {
    event,
    path: first.path,
    issues,
  });
}
