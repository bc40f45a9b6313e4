import { z } from 'zod';
import SockJS from 'sockjs-client';
import { definePlugin } from '../../core/plugin';
import { deflateExtension } from '../deflate';
import { Slots } from '../../core/slots';
import { SockJsServer } from './server';
import { frameLimit } from './limits';
import { sockjsClient, type SockJSConstructor } from './client';

export const sockjsOptions = z
  .object({
    /**
     * permessage-deflate on SockJS's WebSocket transport. Needs the optional `permessage-deflate`
     * package (not a dependency of allspark); without it `true` is refused with
     * ALLSPARK_PLUGIN_OPTIONS. Default false.
     */
    compression: z.boolean().default(false),
    /**
     * `spark.write` returns false once a session holds this many characters: queued for the
     * client's next poll or not yet sent by its socket. `drain` follows. Default 1 MiB.
     */
    highWaterMark: z.number().int().positive().default(1 << 20),
    /**
     * Extra sockjs server options (`heartbeat_delay`, `disconnect_delay`, `websocket`,
     * `jsessionid`, `response_limit`, …). `prefix` and `log` are always ours. Default `{}`.
     */
    transport: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/**
 * SockJS (Primus's `sockjs` transformer, same wire): WebSocket with HTTP
 * streaming and polling fallbacks. Text only, so binary parsers are refused.
 * Its client half uses sockjs-client in Node and in the browser library.
 */
export const sockjs = definePlugin({
  name: 'sockjs',
  options: sockjsOptions,
  server(ctx, options) {
    const faye: Record<string, unknown> = { maxLength: frameLimit(ctx.options.maxLength) };
    if (options.compression) faye.extensions = [deflateExtension('sockjs')];
    ctx.provide(Slots.transformer, new SockJsServer(ctx.kernel, { transport: options.transport, faye, highWaterMark: options.highWaterMark }));
  },
  client: sockjsClient(SockJS as unknown as SockJSConstructor),
  browser: 'transformers/sockjs',
  clientOptions: () => ({}),
});
