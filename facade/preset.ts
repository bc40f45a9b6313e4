import type { PluginDefinition } from '../core/plugin';
import { VERSION } from '../core/version';
import { heartbeat } from '../plugins/heartbeat';
import { reconnect } from '../plugins/reconnect';
import { offline } from '../plugins/offline';
import { middleware } from '../plugins/middleware';
import { forwarded } from '../plugins/forwarded';
import { spec } from '../plugins/spec';
import { xssPlugin } from '../plugins/xss';
import { noCachePlugin } from '../plugins/no-cache';
import { authorization } from '../plugins/authorization';
import { cluster } from '../plugins/cluster';
import { transformerPlugin, parserPlugin, isPrimusTransformer, type PrimusParser } from './tables';
import type { PrimusLike } from './transformer';
import { extraPlugins } from './extras';
import { firstPartyPlugins } from './first-party';
import type { ResolvedPrimusOptions } from './options';

/** The reconnect strategy a library gets: rejected clients should end, not retry on a timer. */
export function strategyFor(authorized: boolean): Array<'disconnect' | 'online' | 'timeout'> {
  return authorized ? ['disconnect', 'online'] : ['disconnect', 'online', 'timeout'];
}

/** What a connection is made of, on both sides: transport, codec, heartbeats and the client's recovery. */
export function connectionPlugins(o: ResolvedPrimusOptions, primus?: PrimusLike): Array<[PluginDefinition, unknown]> {
  return [
    [transformerPlugin(o.transformer as string, primus), transformerOptions(o)],
    [parserPlugin(o.parser as string | PrimusParser), undefined],
    [heartbeat, { pingInterval: o.pingInterval || false }],
    [reconnect, { strategy: strategyFor(Boolean(o.authorization)) }],
    [offline, undefined],
  ];
}

/**
 * The kernel plugins that make Primus 8, from its options, in the order
 * Primus runs things: the connection plugins, then the default middleware
 * layers (forwarded, cors, primus.js, spec, x-xss, no-cache, authorization),
 * then cluster, rooms and events when their options are set.
 */
export function primusPreset(
  o: ResolvedPrimusOptions,
  primus: PrimusLike,
  firstParty: Array<[PluginDefinition, unknown]> = firstPartyPlugins(o),
): Array<[PluginDefinition, unknown]> {
  return [
    ...connectionPlugins(o, primus),
    [middleware, undefined],
    [forwarded, { trustProxy: o.trustProxy }],
    ...extraPlugins(o, 'before-spec'),
    [spec, { version: VERSION }],
    [xssPlugin, undefined],
    [noCachePlugin, undefined],
    [authorization, { authorize: typeof o.authorization === 'function' ? o.authorization : undefined }],
    ...(o.cluster === undefined ? [] : [[cluster, o.cluster] as [PluginDefinition, unknown]]),
    // After the cluster plugin: rooms span its nodes.
    ...firstParty,
  ];
}

/** The transformer plugin's options; a custom Primus transformer reads `primus.options` itself. */
function transformerOptions(o: ResolvedPrimusOptions): unknown {
  if (isPrimusTransformer(o.transformer)) return undefined;
  const { compression, transport, highWaterMark } = o;
  return highWaterMark === undefined ? { compression, transport } : { compression, transport, highWaterMark };
}
