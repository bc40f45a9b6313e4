import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientConfigOf } from '../core/client-config';
import type { PluginDefinition } from '../core/plugin';
import type { SocketClass } from '../core/client/factory';
import { connectionPlugins } from './preset';
import { PrimusOptionsSchema } from './options';
import { validateOptions } from '../core/options';
import { firstPartyPlugins } from './first-party';
import { ErrorCodes } from '../core/errors';
import { checkPrimusPlugin, kernelPluginFor, primusPluginsOf, primusSocketClass, type PrimusPlugin } from './ark';
import type { PrimusOptions } from './options';

/** Options of `Primus.createServer`: Primus options plus where to listen. */
export interface CreateServerOptions extends PrimusOptions {
  port?: number;
  hostname?: string;
  /** Do not listen yet. */
  listen?: boolean;
  key?: string | Buffer;
  cert?: string | Buffer;
  /** Folder that `key`/`cert` file names are relative to. */
  root?: string;
}

function certificate(value: string | Buffer | undefined, root: string | undefined): string | Buffer | undefined {
  if (value === undefined || Buffer.isBuffer(value) || value.includes('-----BEGIN')) return value;
  return readFileSync(root ? join(root, value) : value);
}

/**
 * Make an HTTP (or, with `key` and `cert`, HTTPS) server, attach Primus and
 * listen. Unlike Primus 8 a plain server does not default to port 443
 * (spec §7.26): HTTP defaults to 80, HTTPS to 443.
 */
export function serverFor(options: CreateServerOptions): Server {
  const key = certificate(options.key, options.root);
  const cert = certificate(options.cert, options.root);
  const server = key && cert ? createHttpsServer({ key, cert }) : createHttpServer();
  if (options.listen !== false) server.listen(options.port ?? (key && cert ? 443 : 80), options.hostname);
  return server as Server;
}

/** The client class for a server you do not run here (Primus.createSocket). */
export function socketFor(options: PrimusOptions = {}): SocketClass {
  // Heartbeats off by default: we cannot know the remote server's interval (Primus does the same).
  const o = validateOptions(PrimusOptionsSchema, { pingInterval: false, ...options }, 'Primus.createSocket', ErrorCodes.OPTIONS);
  // Only the client halves matter here: nothing is served, so no server half runs.
  const entries: Array<readonly [PluginDefinition, unknown]> = [...connectionPlugins(o), ...firstPartyPlugins(o)];
  const plugins: PrimusPlugin[] = [];
  for (const [name, candidate] of primusPluginsOf(o.plugin)) {
    const plugin = checkPrimusPlugin(name, candidate);
    plugins.push(plugin);
    entries.push([kernelPluginFor(name, plugin), undefined]);
  }
  return primusSocketClass(clientConfigOf(o.pathname, entries), plugins);
}
