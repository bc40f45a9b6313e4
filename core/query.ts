import { parse as parseQueryString, type ParsedUrlQuery } from 'node:querystring';
import { NullObject } from './null-object';

/** `querystring.parse`'s default `maxKeys`: it counts `&`-separated parts, empty ones too; the rest is ignored. */
const MAX_KEYS = 1000;

/**
 * Parse a query string (without `?`) as `querystring.parse` does: `a=1&a=2`
 * gives `['1', '2']`, a key without `=` gives `''`, at most 1,000 keys.
 * Queries with escapes (`%`, `+`) go through `querystring.parse`; the
 * plain ones every upgrade carries (`_primuscb=…`, `EIO=4&sid=…`) are
 * split here, without its intermediate objects. The result is a
 * {@link NullObject}: no key (`__proto__`, `toString`, …) meets an inherited member.
 */
export function parseQuery(text: string): ParsedUrlQuery {
  const query: ParsedUrlQuery = new NullObject();
  if (text.length === 0) return query;
  if (text.includes('%') || text.includes('+')) return Object.assign(query, parseQueryString(text));
  let start = 0;
  for (let part = 0; part < MAX_KEYS && start < text.length; part++) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (end > start) {
      const eq = text.indexOf('=', start);
      const key = eq === -1 || eq > end ? text.slice(start, end) : text.slice(start, eq);
      const value = eq === -1 || eq > end ? '' : text.slice(eq + 1, end);
      const previous = query[key];
      if (previous === undefined) query[key] = value;
      else if (typeof previous === 'string') query[key] = [previous, value];
      else previous.push(value);
    }
    start = end + 1;
  }
  return query;
}
