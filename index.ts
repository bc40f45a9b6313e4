/**
 * allspark: `require('allspark')` is the Primus-compatible server class,
 * with the kernel API and every built-in plugin hanging off it.
 */
import { Primus as PrimusClass, type DestroyOptions } from './facade/primus';
import { serverFor, socketFor, type CreateServerOptions } from './facade/statics';
import { discoverSocket } from './facade/discover';
import type { PrimusOptions } from './facade/options';
import type { Server } from 'node:http';
import type { Spark } from './core/spark';
import * as core from './core';

export * from './core';
export * from './core/client';
export { clientConfig, clientFor } from './core/client-config';
export { websockets } from './transformers/websockets';
export { jsonParserPlugin } from './plugins/json-parser';
export { heartbeat } from './plugins/heartbeat';
export { reconnect } from './plugins/reconnect';
export { offline } from './plugins/offline';
export { continuity, continuityStoreOf, MemoryStore, RedisStore, Session, type ContinuityStore, type ContinuityInfo, type ClientContinuityEvent } from './plugins/continuity';
export { middleware, addLayer, lockHeader, MIDDLEWARE, type Layers, type LayerFn } from './plugins/middleware';
export { forwarded } from './plugins/forwarded';
export { cors } from './plugins/cors';
export { spec } from './plugins/spec';
export { noCachePlugin } from './plugins/no-cache';
export { xssPlugin } from './plugins/xss';
export { authorization } from './plugins/authorization';
export { clientLibrary, libraryFile } from './plugins/client-library';
export {
  cluster,
  clusterOf,
  CLUSTER,
  Cluster,
  type ClusterView,
  type NodeView,
  type PresenceEvent,
  type RedisEvent,
  type RedisDriver,
  type SendReport,
} from './plugins/cluster';
export { rooms, roomsOf, Rooms, RoomTarget, ROOMS, type SparkRef, type BrokerRequests, type CountedPublish } from './plugins/rooms';
export {
  events,
  defineEvents,
  EventMap,
  ERROR_EVENT,
  type EventSchemas,
  type EventSchema,
  type TypedSpark,
  type TypedClient,
  type TypedEvents,
  type PayloadIn,
  type PayloadOut,
  type ReplyOf,
  type ReplyFn,
  type UnknownPolicy,
} from './plugins/events';
export type { PrimusOptions, DestroyOptions, CreateServerOptions };
export type { PrimusEvents, PrimusNext } from './facade/events';
export { transformers, parsers } from './facade/tables';

/** `Primus.createServer([fn], options)`: an HTTP(S) server with Primus attached, listening. */
function createServer(fn?: ((spark: Spark) => void) | CreateServerOptions, options?: CreateServerOptions): PrimusClass {
  if (typeof fn !== 'function') {
    options = fn;
    fn = undefined;
  }
  const opts = { ...options };
  const server: Server = serverFor(opts);
  const { port: _p, hostname: _h, listen: _l, key: _k, cert: _c, root: _r, ...primusOptions } = opts;
  const primus = new PrimusClass(server, primusOptions);
  if (fn) primus.on('connection', fn);
  return primus;
}

type PrimusStatic = typeof PrimusClass & {
  (server: Server, options?: PrimusOptions): PrimusClass;
  createServer: typeof createServer;
  createSocket: typeof socketFor;
  discover: typeof discoverSocket;
};

/** The Primus class; also callable without `new`, as Primus 8 is. */
export const Primus: PrimusStatic = new Proxy(PrimusClass, {
  apply: (target, _this, args: [Server, PrimusOptions?]) => new target(...args),
}) as PrimusStatic;
Object.assign(PrimusClass, { createServer, createSocket: socketFor, discover: discoverSocket });
export type Primus = PrimusClass;
export default Primus;

/** The other transformer and parser plugins; loaded on first access so `require('allspark')` stays light. */
export declare const sockjs: typeof import('./transformers/sockjs').sockjs;
export declare const engineio: typeof import('./transformers/engine.io').engineio;
export declare const faye: typeof import('./transformers/faye').faye;
export declare const msgpackParser: typeof import('./plugins/binary-parser').msgpackParser;
export declare const binaryParser: typeof import('./plugins/binary-parser').binaryParser;
export declare const ejsonParser: typeof import('./plugins/ejson-parser').ejsonParser;
const lazy: Record<string, () => unknown> = {
  sockjs: () => require('./transformers/sockjs').sockjs,
  engineio: () => require('./transformers/engine.io').engineio,
  faye: () => require('./transformers/faye').faye,
  msgpackParser: () => require('./plugins/binary-parser').msgpackParser,
  binaryParser: () => require('./plugins/binary-parser').binaryParser,
  ejsonParser: () => require('./plugins/ejson-parser').ejsonParser,
};

// CommonJS: `require('allspark')` returns the class itself, carrying every named export. Its `Spark`
// stays Primus's (the core class, which `new Spark(primus, headers, …)` also builds a spark of `primus` with).
module.exports = Object.assign(Primus, exports, { Primus, default: Primus, core, Spark: PrimusClass.Spark });
for (const [name, load] of Object.entries(lazy)) {
  Object.defineProperty(module.exports, name, { enumerable: true, configurable: true, get: load });
}
