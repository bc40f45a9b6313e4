import { AllsparkError, ErrorCodes } from '../../core/errors';

/**
 * A string literal safe to paste into a script, also when the script is
 * inlined in HTML: U+2028/U+2029 are escaped (older engines reject them in
 * literals) and `</script` / `<!--` cannot end or confuse the element.
 */
export function stringSource(value: string): string {
  return JSON.stringify(value)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/<(\/script|!--)/gi, '\\u003c$1');
}

/**
 * JavaScript source for a plugin's client options. JSON would turn
 * `Infinity` into `null` (a `queueSize: Infinity` default would then mean
 * "no queue"), so numbers, `undefined`, dates and nesting are written by
 * hand. Functions cannot travel to the browser: they are refused with the
 * path of the offending value, never shipped as source.
 */
export function valueSource(value: unknown, owner: string, path = 'options', seen: object[] = []): string {
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) return 'NaN';
      if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return stringSource(value);
    case 'undefined':
      return 'undefined';
    case 'object':
      break;
    default:
      throw unserialisable(owner, path, `a ${typeof value}`);
  }
  if (value === null) return 'null';
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (seen.includes(value)) throw unserialisable(owner, path, 'circular');
  seen.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[' + value.map((v, i) => valueSource(v, owner, `${path}[${i}]`, seen)).join(',') + ']';
  } else {
    const parts: string[] = [];
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      // `"__proto__": x` in a literal would set the prototype; a computed key defines a property.
      const name = key === '__proto__' ? '["__proto__"]' : stringSource(key);
      parts.push(name + ':' + valueSource(v, owner, `${path}.${key}`, seen));
    }
    out = '{' + parts.join(',') + '}';
  }
  seen.pop();
  return out;
}

function unserialisable(owner: string, path: string, what: string): AllsparkError {
  return new AllsparkError(
    ErrorCodes.PLUGIN_INVALID,
    `The client options of plugin "${owner}" cannot be sent to browsers: ${path} is ${what}`,
  );
}

/**
 * Source of a Primus-style client function, as Primus ships it (spec §5.2):
 * `Function.prototype.toString`. Only the function's own text travels, so
 * it must not use closures, imports or helpers a compiler added (spec
 * §7.17). We fix the two cases we can detect: method shorthand
 * (`client(primus) {…}` is not an expression; Primus emits broken code)
 * gets a `function` keyword, and native or bound functions (whose text is
 * `[native code]`) are refused instead of shipped.
 */
export function functionSource(fn: (...args: any[]) => unknown, owner: string): string {
  const source = Function.prototype.toString.call(fn).trim();
  if (/\[native code\]\s*\}$/.test(source)) {
    throw new AllsparkError(
      ErrorCodes.PLUGIN_INVALID,
      `The client half of plugin "${owner}" cannot be sent to browsers: it is a native or bound function`,
    );
  }
  if (/^(?:async\s+)?function\b/.test(source) || /^class\b/.test(source)) return source;
  // Arrow functions: `(…) =>`, `async (…) =>`, `x =>`, `async x =>`.
  if (/^(?:async\s*)?\(/.test(source) || /^(?:async\s+)?[\w$]+\s*=>/.test(source)) return source;
  const method = /^(async\s+)?(\*\s*)?([\w$]+)\s*\(/.exec(source);
  if (method) {
    return `${method[1] ?? ''}function${method[2] ? '*' : ''} ${method[3]}` + source.slice(method[0].length - 1);
  }
  throw new AllsparkError(
    ErrorCodes.PLUGIN_INVALID,
    `The client half of plugin "${owner}" cannot be sent to browsers: its source is not a function expression`,
  );
}
