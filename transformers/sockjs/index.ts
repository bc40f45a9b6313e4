import { definePlugin } from '../../core/plugin';
import { requireOptional } from '../../core/optional';
import { deflateExtension } from '../deflate';
import { Slots } from '../../core/slots';
import { transformerOptions } from '../options';
import { SockJsServer } from './server';
import { frameLimit } from './limits';
import { sockjsClient, type SockJSConstructor } from './client';

/**
 * SockJS (Primus's `sockjs` transformer, same wire): WebSocket with HTTP
 * streaming and polling fallbacks. Text only, so binary parsers are refused.
 * Its client half uses sockjs-client in Node and in the browser library.
 * `sockjs` (server) and `sockjs-client` (Node clients) are optional packages,
 * loaded when the plugin is used; the browser library bundles its own
 * sockjs-client.
 *
 * Options (`transformerOptions`): `compression` (permessage-deflate on the
 * WebSocket transport) needs the optional `permessage-deflate` package, else
 * `true` is refused with ALLSPARK_PLUGIN_OPTIONS; `highWaterMark` counts the
 * characters a session holds (queued for the next poll or unsent by its
 * socket); `transport` is extra sockjs server options (`heartbeat_delay`,
 * `disconnect_delay`, `websocket`, …; `prefix` and `log` are always ours).
 */
export const sockjs = definePlugin({
  name: 'sockjs',
  options: transformerOptions,
  server(ctx, options) {
    const faye: Record<string, unknown> = { maxLength: frameLimit(ctx.options.maxLength) };
    if (options.compression) faye.extensions = [deflateExtension('sockjs')];
    ctx.provide(Slots.transformer, new SockJsServer(ctx.kernel, { transport: options.transport, faye, highWaterMark: options.highWaterMark }));
  },
  client: (client, options) => {
    const SockJS = requireOptional<SockJSConstructor>('sockjs-client', 'Transformer "sockjs" (Node client)');
    return sockjsClient(SockJS)(client, options);
  },
  browser: 'transformers/sockjs',
});
