import type { Kernel } from '../../core/kernel';
import { clientOptionsOf } from '../../core/client-config';
import { VERSION } from '../../core/version';
import { readChunk } from './chunks';
import { stringSource, valueSource } from './serialise';

export interface AssembleOptions {
  /** Name of the global (and UMD export). */
  global: string;
  /** Reads a prebuilt chunk; tests may substitute their own. */
  read?: (chunk: string, owner: string) => string;
  /** Told about plugins that have a Node client half but nothing for browsers. */
  warn?: (message: string) => void;
}

/**
 * The browser library for `kernel`'s current plugins, in Primus's UMD-ish
 * shape (spec §5.2): a wrapper function holding the `__allspark` object,
 * the core chunk and one chunk per plugin with browser code. Code that must
 * run with the finished class (Primus plugins' `library` strings) pushes a
 * `function (Primus) {…}` onto `__allspark.after`; those run once the
 * global is defined, as in Primus.
 *
 * Kernel plugins reach the browser through prebuilt chunks (`browser`) or
 * their own `library` text, which registers `__allspark.halves[name]`.
 * Their client options are `clientOptions(options)`; a plugin without
 * `clientOptions` gets `{}`, because server options (keys, secrets) must
 * not be published in a public script.
 */
export function assembleLibrary(kernel: Kernel, options: AssembleOptions): string {
  const read = options.read ?? readChunk;
  const inside: string[] = [read('core', 'client-library')];
  const entries: string[] = [];
  const chunks = new Set<string>();
  const names: string[] = [];

  for (const { definition, options: pluginOptions } of kernel.plugins()) {
    const name = definition.name;
    let code: string | undefined;
    if (definition.browser !== undefined) {
      code = chunks.has(definition.browser) ? '' : read(definition.browser, name);
      chunks.add(definition.browser);
    } else if (definition.library !== undefined) {
      code = typeof definition.library === 'function' ? definition.library() : definition.library;
    }
    if (code === undefined) {
      if (definition.client) options.warn?.(`Plugin "${name}" has a client half but no browser code; the browser library leaves it out`);
      continue;
    }
    if (code !== '') inside.push(code);
    const clientOptions = clientOptionsOf(definition, pluginOptions);
    entries.push(`[${stringSource(name)},${valueSource(clientOptions, name)}]`);
    names.push(name);
  }

  return [
    // The header says what the file is for Primus users too: the global is Primus's client class.
    `/*! allspark ${VERSION} client library (a Primus client: plugins extend Primus.prototype): ${names.join(', ').replace(/\*\//g, '* /')} */`,
    '(function UMDish(name, context, definition) {',
    '  context[name] = definition.call(context);',
    '  for (var i = 0; i < definition.after.length; i++) definition.after[i](context[name]);',
    '  if (typeof module !== "undefined" && module.exports) module.exports = context[name];',
    '  else if (typeof define === "function" && define.amd) define(function reference() { return context[name]; });',
    `})(${stringSource(options.global)}, this || {}, function wrapper() {`,
    // Hide CommonJS/AMD from the code inside, as Primus does: chunks must not export themselves.
    // `Primus` is the client class inside the library, as in Primus: plugin client halves use it.
    'var define, module, exports, Primus, __allspark = { halves: {}, after: [] };',
    ...inside,
    'wrapper.after = __allspark.after;',
    `return Primus = __allspark.create(${stringSource(kernel.options.pathname)}, [${entries.join(',')}]);`,
    '});',
    '',
  ].join('\n');
}
