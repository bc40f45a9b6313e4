import { z } from 'zod';
import WebSocket from 'ws';
import { definePlugin } from '../../core/plugin';
import { Slots } from '../../core/slots';
import { WebSocketsServer } from './server';
import { websocketsClient, type WebSocketConstructor } from './client';

export const websocketsOptions = z
  .object({
    /** permessage-deflate. Default false (it costs memory and CPU per connection). */
    compression: z.boolean().default(false),
    /** `spark.write` returns false once this many bytes wait in the socket. Default 1 MiB. */
    highWaterMark: z.number().int().positive().default(1 << 20),
    /** Extra `ws` server options (cannot change noServer/clientTracking). */
    transport: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/**
 * WebSockets through `ws` (Primus's `websockets` transformer, same wire).
 * Fills the transformer slot; its client half uses `ws` in Node and the
 * browser's WebSocket in the generated library.
 */
export const websockets = definePlugin({
  name: 'websockets',
  options: websocketsOptions,
  server(ctx, options) {
    ctx.provide(Slots.transformer, new WebSocketsServer(ctx.kernel, options));
  },
  client: websocketsClient(WebSocket as unknown as WebSocketConstructor),
  browser: 'transformers/websockets',
  clientOptions: () => ({}),
});
