import type { PluginDefinition } from '../core/plugin';
import type { Parser } from '../core/types';
import { definePlugin } from '../core/plugin';
import { Slots } from '../core/slots';
import { Transformer } from './transformer';
import { customTransformerPlugin } from './ark';
import type { PrimusLike } from './transformer';
import { PrimusError, describe } from '../core/errors';
import { functionSource } from '../plugins/client-library/serialise';

type Loader = () => PluginDefinition;

/**
 * Property names that inspection tools (jest, util.inspect, Promise
 * resolution) probe on any object; they must read as absent, not as a
 * transformer named "then".
 */
const PROBES = /^(?:[$@].*|then|toJSON|asymmetricMatch|nodeType|inspect)$/;

/**
 * A name table where an unknown name reads as a loader that throws a
 * PrimusError listing the known names, so `Primus.transformers['uws']()`
 * says what exists instead of `TypeError: … is not a function`.
 * `in`, `Object.keys` and iteration still see only the known names.
 */
function nameTable(kind: 'transformer' | 'parser', loaders: Record<string, Loader>): Record<string, Loader> {
  return new Proxy(loaders, {
    get(target, key, receiver) {
      if (typeof key !== 'string' || key in target || PROBES.test(key)) return Reflect.get(target, key, receiver);
      return () => {
        throw unsupported(kind, key, target);
      };
    },
  });
}

/** `Unsupported transformer: "uws"` (Primus 8's message), with the names that exist. */
function unsupported(kind: 'transformer' | 'parser', name: string, table: Record<string, Loader>): PrimusError {
  return new PrimusError(`Unsupported ${kind}: "${name}" (known ${kind}s: ${Object.keys(table).join(', ')})`);
}

/** Transformer names Primus users write, and the plugin behind each (loaded on demand). */
export const transformers: Record<string, Loader> = nameTable('transformer', {
  websockets: () => require('../transformers/websockets').websockets,
  sockjs: () => require('../transformers/sockjs').sockjs,
  'engine.io': () => require('../transformers/engine.io').engineio,
  faye: () => require('../transformers/faye').faye,
});

/** Parser names Primus users write, and the plugin behind each (loaded on demand). */
export const parsers: Record<string, Loader> = nameTable('parser', {
  json: () => require('../plugins/json-parser').jsonParserPlugin,
  msgpack: () => require('../plugins/binary-parser').msgpackParser,
  binary: () => require('../plugins/binary-parser').binaryParser,
  ejson: () => require('../plugins/ejson-parser').ejsonParser,
});

function load(kind: 'transformer' | 'parser', table: Record<string, Loader>, name: string): PluginDefinition {
  const key = name.toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(table, key)) throw unsupported(kind, name, table);
  const loader = table[key];
  try {
    return loader();
  } catch (err) {
    throw Object.assign(new PrimusError(`Missing dependencies for ${kind}: "${name}" (${describe(err)})`), { cause: err });
  }
}

/** A custom transformer class written for Primus (`Primus.Transformer.extend(…)`)? */
export function isPrimusTransformer(option: unknown): option is typeof Transformer {
  return typeof option === 'function' && option.prototype instanceof Transformer;
}

/**
 * The transformer plugin for a Primus `transformer` option: a name, a
 * kernel transformer plugin, or a custom Primus transformer class (whose
 * server half needs `primus`; without it only the client half is usable).
 */
export function transformerPlugin(option: string | { name: string } | typeof Transformer, primus?: PrimusLike): PluginDefinition {
  if (isPrimusTransformer(option)) return customTransformerPlugin(option, primus);
  if (typeof option !== 'string') {
    if (typeof (option as PluginDefinition).server !== 'function') {
      throw new PrimusError('The given transformer is not a constructor');
    }
    return option as PluginDefinition;
  }
  return load('transformer', transformers, option);
}

/** A Primus custom parser: `{ encoder(data, cb), decoder(data, cb), library? }`. */
export interface PrimusParser {
  encoder: (this: unknown, data: unknown, cb: (err: unknown, value?: unknown) => void) => void;
  decoder: (this: unknown, data: unknown, cb: (err: unknown, value?: unknown) => void) => void;
  library?: string;
  binary?: boolean;
}

/** Run a callback-style coder synchronously (Primus's coders call back at once). */
function syncCall(coder: PrimusParser['encoder'], data: unknown, owner: object | undefined): any {
  let error: unknown;
  let value: unknown;
  let called = false;
  coder.call(owner, data, (err, result) => {
    called = true;
    error = err;
    value = result;
  });
  if (!called) throw new Error('Custom parsers must call back synchronously');
  if (error) throw error;
  return value;
}

/**
 * Browser code for a custom parser, as Primus ships it: the parser's
 * `library` text, then its coders' source, run synchronously like on the
 * server (spec §5.2, with §7.17's limits: the coders must be self-contained).
 */
function customParserLibrary(custom: PrimusParser): string {
  return [
    custom.library ?? '',
    '__allspark.halves["custom-parser"] = function (client) {',
    `  var encoder = ${functionSource(custom.encoder, 'custom-parser')};`,
    `  var decoder = ${functionSource(custom.decoder, 'custom-parser')};`,
    '  function run(coder, data) {',
    '    var out, error, called = false;',
    '    coder.call(client, data, function (err, value) { called = true; error = err; out = value; });',
    '    if (!called) throw new Error("Custom parsers must call back synchronously");',
    '    if (error) throw error;',
    '    return out;',
    '  }',
    `  client.parser = { name: "custom", binary: ${Boolean(custom.binary)},`,
    '    encode: function (d) { return run(encoder, d); }, decode: function (f) { return run(decoder, f); } };',
    '};',
  ].join('\n');
}

/** Wrap a Primus custom parser as a parser plugin. */
export function customParserPlugin(custom: PrimusParser): PluginDefinition {
  const parser: Parser & { primus: PrimusParser } = {
    name: 'custom',
    binary: Boolean(custom.binary),
    encode: (data, owner) => syncCall(custom.encoder, data, owner),
    decode: (frame, owner) => syncCall(custom.decoder, frame, owner),
    // What `primus.parser` gives back: the object the user passed, as in Primus.
    primus: custom,
  };
  return definePlugin({
    name: 'custom-parser',
    server(ctx) {
      ctx.provide(Slots.parser, parser);
    },
    client(client) {
      client.parser = parser;
    },
    library: () => customParserLibrary(custom),
  });
}

/** The parser plugin for a Primus `parser` option. */
export function parserPlugin(option: string | PrimusParser): PluginDefinition {
  if (typeof option === 'string') return load('parser', parsers, option);
  if (!option || typeof option !== 'object') throw new PrimusError('The given parser is not an Object');
  return customParserPlugin(option);
}
