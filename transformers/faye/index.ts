import WebSocket from 'ws';
import { definePlugin } from '../../core/plugin';
import { deflateExtension } from '../deflate';
import { Slots } from '../../core/slots';
import { transformerOptions } from '../options';
import { FayeServer } from './server';
import { websocketsClient, type WebSocketConstructor } from '../websockets/client';

/**
 * WebSockets through faye-websocket (Primus's `faye` transformer). The wire
 * is the `websockets` one, so the client half is the websockets client.
 *
 * Options (`transformerOptions`): `compression` needs the optional
 * `permessage-deflate` package (not a dependency of allspark), else `true` is
 * refused with ALLSPARK_PLUGIN_OPTIONS; `transport` is extra faye-websocket
 * options (`ping`, `extensions`, `maxLength`, …), merged over ours.
 */
export const faye = definePlugin({
  name: 'faye',
  options: transformerOptions,
  server(ctx, options) {
    const settings: Record<string, unknown> = { maxLength: ctx.options.maxLength };
    if (options.compression) settings.extensions = [deflateExtension('faye')];
    ctx.provide(
      Slots.transformer,
      new FayeServer(ctx.kernel, { highWaterMark: options.highWaterMark, faye: { ...settings, ...options.transport } }),
    );
  },
  client: websocketsClient(() => WebSocket as unknown as WebSocketConstructor),
  browser: 'transformers/faye',
});
