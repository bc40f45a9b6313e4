import { AllsparkError, ErrorCodes } from '../../core/errors';

/**
 * What membership queries between nodes look like, and how both ends read
 * them without trusting them: anything may be published on the query
 * channel (a node of another version, a stray publisher), so a malformed
 * query or answer is an {@link AllsparkError} (ALLSPARK_ROOMS_QUERY_INVALID)
 * for the log, never a throw in the broker's handler.
 */

/** A room query between nodes: members of some rooms, or every room with a member. */
export type Query = { op: 'clients'; rooms: string[] } | { op: 'rooms' };

/** How a node that could not answer says so: the asker rejects with it instead of waiting. */
interface Refusal {
  error: { code: string; message: string; node: string };
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** `text` parsed, or `undefined` when it is not JSON (which `JSON.parse` never returns): a query channel may carry anything. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The query in `payload`, or why it is not one. */
export function readQuery(payload: string): Query | string {
  const query = parseJson(payload) as Partial<{ op: unknown; rooms: unknown }> | null | undefined;
  if (query === undefined) return 'not JSON';
  if (query === null || typeof query !== 'object') return 'not an object';
  if (query.op === 'rooms') return { op: 'rooms' };
  if (query.op !== 'clients') return `unknown op ${JSON.stringify(query.op)}`;
  return isStrings(query.rooms) ? { op: 'clients', rooms: query.rooms } : '`rooms` is not a list of strings';
}

/** The answer of node `node` that could not read the query (`err`, as logged there). */
export function refusal(err: AllsparkError, node: string): string {
  const out: Refusal = { error: { code: err.code, message: err.message, node } };
  return JSON.stringify(out);
}

/** An answer: the ids or rooms it lists, the error a node answered with, or why it is neither (left out). */
export function readAnswer(answer: string): string[] | AllsparkError | string {
  const value = parseJson(answer);
  if (value === undefined) return 'not JSON';
  if (isStrings(value)) return value;
  const error = (value as Partial<Refusal> | null)?.error;
  if (error !== null && typeof error === 'object' && typeof error.message === 'string') {
    return invalidQuery(`Node ${String(error.node)} could not answer the membership query: ${error.message}`);
  }
  return 'not a list of strings';
}

/** An ALLSPARK_ROOMS_QUERY_INVALID error. */
export function invalidQuery(message: string): AllsparkError {
  return new AllsparkError(ErrorCodes.ROOMS_QUERY_INVALID, message);
}
