import { z } from 'zod';
import { Socket } from 'engine.io-client';
import { definePlugin } from '../../core/plugin';
import { Slots } from '../../core/slots';
import { EngineIoServer } from './server';
import { engineioClient, type EngineSocketConstructor } from './client';

export const engineioOptions = z
  .object({
    /** permessage-deflate on WebSockets and gzip/deflate on polling responses. Default false. */
    compression: z.boolean().default(false),
    /** `spark.write` returns false once this many bytes wait to be flushed. Default 1 MiB. */
    highWaterMark: z.number().int().positive().default(1 << 20),
    /**
     * Extra engine.io server options (`pingInterval`, `cors`, `allowRequest`, …). As in Primus they
     * may override `perMessageDeflate`, `httpCompression` and `maxHttpBufferSize`. Default `{}`.
     */
    transport: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/**
 * Engine.IO (Primus's `engine.io` transformer, same wire: EIO=4, long-polling
 * first, then an upgrade to WebSocket). Fills the transformer slot; its
 * client half uses engine.io-client in Node and in the browser library.
 */
export const engineio = definePlugin({
  name: 'engine.io',
  options: engineioOptions,
  server(ctx, options) {
    ctx.provide(Slots.transformer, new EngineIoServer(ctx.kernel, options));
  },
  client: engineioClient(Socket as unknown as EngineSocketConstructor),
  browser: 'transformers/engine.io',
  clientOptions: () => ({}),
});
