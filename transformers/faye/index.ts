import { z } from 'zod';
import WebSocket from 'ws';
import { definePlugin } from '../../core/plugin';
import { deflateExtension } from '../deflate';
import { Slots } from '../../core/slots';
import { FayeServer } from './server';
import { websocketsClient, type WebSocketConstructor } from '../websockets/client';

export const fayeOptions = z
  .object({
    /**
     * permessage-deflate. Needs the optional `permessage-deflate` package (not a dependency of
     * allspark); without it `true` is refused with ALLSPARK_PLUGIN_OPTIONS. Default false.
     */
    compression: z.boolean().default(false),
    /** `spark.write` returns false once this many bytes wait in the socket. Default 1 MiB. */
    highWaterMark: z.number().int().positive().default(1 << 20),
    /** Extra faye-websocket options (`ping`, `extensions`, `maxLength`, …), merged over ours. Default `{}`. */
    transport: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/**
 * WebSockets through faye-websocket (Primus's `faye` transformer). The wire
 * is the `websockets` one, so the client half is the websockets client.
 */
export const faye = definePlugin({
  name: 'faye',
  options: fayeOptions,
  server(ctx, options) {
    const settings: Record<string, unknown> = { maxLength: ctx.options.maxLength };
    if (options.compression) settings.extensions = [deflateExtension('faye')];
    ctx.provide(
      Slots.transformer,
      new FayeServer(ctx.kernel, { highWaterMark: options.highWaterMark, faye: { ...settings, ...options.transport } }),
    );
  },
  client: websocketsClient(WebSocket as unknown as WebSocketConstructor),
  browser: 'transformers/faye',
  clientOptions: () => ({}),
});
