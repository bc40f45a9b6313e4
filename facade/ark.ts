import type { Client } from '../core/client/client';
import type { Kernel } from '../core/kernel';
import { clientFor } from '../core/client-config';
import type { SocketClass } from '../core/client/factory';
import { definePlugin, type PluginDefinition } from '../core/plugin';
import { PrimusError } from '../core/errors';
import { functionSource, stringSource } from '../plugins/client-library/serialise';

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
  const kernelName = `primus-plugin:${name}`;
  return definePlugin({
    name: kernelName,
    client: client ? (instance: Client) => client.call(instance, instance, instance.options) : undefined,
    library: () => browserSource(kernelName, plugin),
  });
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
  if (typeof plugin.library === 'string' && plugin.library !== '') {
    source += `__allspark.after.push(function (Primus) {\n${plugin.library}\n});\n`;
  }
  return source;
}

/**
 * The Node client class for `kernel`, with the `library` code of Primus
 * plugins run on it, as Primus's `primus.Socket` runs the whole library:
 * plugins such as primus-emitter add their client methods there. Code that
 * only works in browsers throws here, as it did in Primus.
 */
export function primusSocketClass(kernel: Kernel, plugins: Iterable<PrimusPlugin>): SocketClass {
  const Socket = clientFor(kernel);
  for (const plugin of plugins) {
    if (typeof plugin.library !== 'string' || plugin.library === '') continue;
    // Primus's sandbox gave library code `require`, `__dirname` and `__filename`; Node-aware
    // libraries (node-uuid in primus-responder) pick their Node code path by them.
    new Function('Primus', 'require', '__dirname', '__filename', plugin.library)(Socket, require, process.cwd(), 'primus.js');
  }
  return Socket;
}
