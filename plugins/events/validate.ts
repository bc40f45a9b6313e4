import { runSchema, pathOf } from '../../core/options';
import type { Schema } from './define';
import { ackError, type CodedError } from './acks';

/**
 * Check `value` against `schema` (zod 3 or zod 4): the parsed value, or an
 * ALLSPARK_EVENT_INVALID error naming the event, the first failing path
 * and zod's message, with every issue in `issues`.
 */
export function validate(schema: Schema, value: unknown, event: string, what: string): { value: unknown } | CodedError {
  const result = runSchema(schema, value);
  if (result.success) return { value: result.data };
  const issues = result.error.issues.map((issue) => ({ path: pathOf(issue.path, '(root)'), message: issue.message }));
  const first = issues[0] ?? { path: '(root)', message: 'invalid' };
  return ackError('ALLSPARK_EVENT_INVALID', `Invalid ${what} for event "${event}" at ${first.path}: ${first.message}`, {
    event,
    path: first.path,
    issues,
  });
}
