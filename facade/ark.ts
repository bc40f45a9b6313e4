import type { Client } from '../core/client/client';
import type { ClientConfig } from '../core/client/types';
import { socketClass, type SocketClass } from '../core/client/factory';
import { definePlugin, type PluginDefinition } from '../core/plugin';
import { PrimusError } from '../core/errors';
import { Slots } from '../core/slots';
import { adapterSource, CustomTransformerServer, type PrimusLike, type Transformer } from './transformer';
import { functionSource, stringSource } from '../plugins/client-library/serialise';
import { primusCompatSocket } from './socket';

/**
 * The Primus plugins a `plugin` option names: `{ name: plugin }`, or a
 * comma/space separated list of module names to `require`.
 */
export function primusPluginsOf(option: unknown): Array<[string, unknown]> {
  if (typeof option === 'string') return option.split(/[, ]+/).filter(Boolean).map((name) => [name, require(name)]);
  return option && typeof option === 'object' ? Object.entries(option) : [];
}

/** A Primus 8 plugin: `{ server(primus, options), client(primus, options), library }`. */
export interface PrimusPlugin {
  server?: (this: unknown, primus: any, options: any) => void;
  client?: (this: Client, primus: Client, options: any) => void;
  library?: string;
  [key: string]: unknown;
}

/** Check a Primus plugin the way Primus does, with its exact messages. */
export function checkPrimusPlugin(name: unknown, energon: unknown): PrimusPlugin {
  if (typeof name !== 'string' || name === '') throw new PrimusError('Plugin name must be a non empty string');
  if (typeof energon === 'string') energon = require(energon);
  if (!energon || (typeof energon !== 'object' && typeof energon !== 'function')) {
    throw new PrimusError('Plugin should be an object or function');
  }
  const plugin = energon as PrimusPlugin;
  if (typeof plugin.server !== 'function' && typeof plugin.client !== 'function') {
    throw new PrimusError('Plugin is missing a client or server function');
  }
  return plugin;
}

/**
 * The kernel plugin that carries a Primus plugin's client half (and its
 * browser `library`) to clients. The server half is run by the facade with
 * Primus's `this`/arguments.
 */
export function kernelPluginFor(name: string, plugin: PrimusPlugin): PluginDefinition {
  const client = plugin.client;
  const kernelName = kernelNameOf(name);
  return definePlugin({
    name: kernelName,
    client: client ? nodeHalf(client, kernelName) : undefined,
    library: () => browserSource(kernelName, plugin),
  });
}

/** The kernel plugin name under which a Primus plugin called `name` is registered. */
export function kernelNameOf(name: string): string {
  return `primus-plugin:${name}`;
}

type ClientHalf = NonNullable<PrimusPlugin['client']>;

/**
 * A Primus plugin's client half for Node clients. Primus evaluated client
 * halves from their source inside its library, where `Primus` is the client
 * class, and plugins rely on it (substream: `Primus._substream(Primus.Stream)`).
 * A half whose source mentions `Primus` is therefore compiled the same way,
 * once per client class; any other half runs as the function it is, so its
 * closures work in Node (they never reach browsers).
 */
function nodeHalf(client: ClientHalf, owner: string): (instance: Client) => void {
  if (!/\bPrimus\b/.test(Function.prototype.toString.call(client))) {
    return (instance) => client.call(instance, instance, instance.options);
  }
  return compiledHalf(() => functionSource(client, owner));
}

/** A client half compiled from `source()` in Primus's library scope, once per client class. */
function compiledHalf(source: () => string): (instance: Client) => void {
  const compiled = new WeakMap<object, ClientHalf>();
  return (instance) => {
    const Class = instance.constructor;
    let half = compiled.get(Class);
    if (half === undefined) compiled.set(Class, (half = libraryScope(`return (${source()});`, Class) as ClientHalf));
    half.call(instance, instance, instance.options);
  };
}

/** Browser library text that runs a Primus `library` string once with the finished class. */
function afterSource(library: unknown): string {
  return typeof library === 'string' && library !== '' ? `__allspark.after.push(function (Primus) {\n${library}\n});\n` : '';
}

/**
 * Run `code` as Primus ran library code in Node: in a scope with `Primus`
 * (the client class), `require`, `__dirname` and `__filename`; Node-aware
 * libraries (node-uuid in primus-responder) pick their Node path by them.
 */
function libraryScope(code: string, Class: unknown): unknown {
  return new Function('Primus', 'require', '__dirname', '__filename', code)(Class, require, process.cwd(), 'primus.js');
}

/**
 * A Primus plugin in the browser library, as Primus runs it: the client
 * function travels as source text and runs as `client.call(instance,
 * instance, options)`; the `library` string runs once with the class.
 */
function browserSource(name: string, plugin: PrimusPlugin): string {
  let source = '';
  if (plugin.client) {
    const client = functionSource(plugin.client, name);
    source += `__allspark.halves[${stringSource(name)}] = function (client) { (${client}).call(client, client, client.options); };\n`;
  }
  return source + afterSource(plugin.library);
}

/**
 * The Node client class for `config`, with the `library` code of Primus
 * plugins run on it, as Primus's `primus.Socket` runs the whole library:
 * plugins such as primus-emitter add their client methods there. Code that
 * only works in browsers throws here, as it did in Primus.
 */
export function primusSocketClass(config: ClientConfig, plugins: Iterable<PrimusPlugin>): SocketClass {
  // Primus.requires(name): how Primus's Node client code loads `ws` and friends.
  const Socket = Object.assign(primusCompatSocket(socketClass(config), config), { requires: (name: string): unknown => require(name) });
  for (const plugin of plugins) {
    if (typeof plugin.library === 'string' && plugin.library !== '') libraryScope(plugin.library, Socket);
  }
  return Socket;
}

/**
 * The kernel transformer plugin for a custom transformer class written for
 * Primus (`Primus.Transformer.extend({ server, client, library })`). Its
 * server half runs once the facade exists; its client half runs the
 * transformer's client function through Primus's transport events, in Node
 * (compiled like other Primus client code) and in the browser library.
 */
export function customTransformerPlugin(Ctor: typeof Transformer, primus?: PrimusLike): PluginDefinition {
  const client = Ctor.prototype.client;
  const name = 'primus-transformer';
  if (typeof client !== 'function') throw new PrimusError('The custom transformer has no client function');
  const source = (): string => adapterSource(functionSource(client, name));
  return definePlugin({
    name,
    server(ctx) {
      // Primus.createSocket builds a client only: there is no server to run.
      if (primus === undefined) return;
      const instance = new Ctor(primus, ctx.kernel);
      ctx.provide(Slots.transformer, new CustomTransformerServer((Ctor.name || 'custom').toLowerCase(), instance));
    },
    client: compiledHalf(source),
    library: () => `__allspark.halves[${stringSource(name)}] = ${source()};\n` + afterSource(Ctor.prototype.library),
  });
}
