import { definePlugin } from '../../core/plugin';
import { requireOptional } from '../../core/optional';
import { Slots } from '../../core/slots';
import { transformerOptions } from '../options';
import { EngineIoServer } from './server';
import { engineioClient, type EngineSocketConstructor } from './client';

/**
 * Engine.IO (Primus's `engine.io` transformer, same wire: EIO=4, long-polling
 * first, then an upgrade to WebSocket). Fills the transformer slot; its
 * client half uses engine.io-client in Node and in the browser library.
 * `engine.io` (server) and `engine.io-client` (Node clients) are optional
 * packages, loaded when the plugin is used; the browser library bundles its
 * own engine.io-client.
 *
 * Options (`transformerOptions`): `compression` is permessage-deflate and
 * gzip/deflate on polling answers; `highWaterMark` counts bytes queued since
 * engine.io's last `drain`; `transport` is extra engine.io server options
 * (`pingInterval`, `cors`, `allowRequest`, …), which may override
 * `perMessageDeflate`, `httpCompression` and `maxHttpBufferSize` as in Primus.
 */
export const engineio = definePlugin({
  name: 'engine.io',
  options: transformerOptions,
  server(ctx, options) {
    ctx.provide(Slots.transformer, new EngineIoServer(ctx.kernel, options));
  },
  client: (client, options) => {
    const { Socket } = requireOptional<{ Socket: EngineSocketConstructor }>('engine.io-client', 'Transformer "engine.io" (Node client)');
    return engineioClient(Socket)(client, options);
  },
  browser: 'transformers/engine.io',
});
