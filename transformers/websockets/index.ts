import WebSocket from 'ws';
import { definePlugin } from '../../core/plugin';
import { Slots } from '../../core/slots';
import { transformerOptions } from '../options';
import { WebSocketsServer } from './server';
import { websocketsClient, type WebSocketConstructor } from './client';

/**
 * WebSockets through `ws` (Primus's `websockets` transformer, same wire).
 * Fills the transformer slot; its client half uses `ws` in Node and the
 * browser's WebSocket in the generated library.
 *
 * Options (`transformerOptions`): `compression` is permessage-deflate (it costs
 * memory and CPU per connection); `transport` is extra `ws` server options
 * (not `noServer`/`clientTracking`).
 */
export const websockets = definePlugin({
  name: 'websockets',
  options: transformerOptions,
  server(ctx, options) {
    ctx.provide(Slots.transformer, new WebSocketsServer(ctx.kernel, options));
  },
  client: websocketsClient(() => WebSocket as unknown as WebSocketConstructor),
  browser: 'transformers/websockets',
});
