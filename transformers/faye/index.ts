import { z } from 'zod';
import WebSocket from 'ws';
import { definePlugin } from '../../core/plugin';
import { Slots } from '../../core/slots';
import { AllsparkError, ErrorCodes, describe } from '../../core/errors';
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

/** faye loads permessage-deflate as an extension object; it is optional, so ask for it only when used. */
function deflateExtension(): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('permessage-deflate');
  } catch (err) {
    throw new AllsparkError(
      ErrorCodes.PLUGIN_OPTIONS,
      `Plugin "faye": compression needs the "permessage-deflate" package (npm install permessage-deflate): ${describe(err)}`,
      { cause: err },
    );
  }
}

/**
 * WebSockets through faye-websocket (Primus's `faye` transformer). The wire
 * is the `websockets` one, so the client half is the websockets client.
 */
export const faye = definePlugin({
  name: 'faye',
  options: fayeOptions,
  server(ctx, options) {
    const settings: Record<string, unknown> = { maxLength: ctx.options.maxLength };
    if (options.compression) settings.extensions = [deflateExtension()];
    ctx.provide(
      Slots.transformer,
      new FayeServer(ctx.kernel, { highWaterMark: options.highWaterMark, faye: { ...settings, ...options.transport } }),
    );
  },
  client: websocketsClient(WebSocket as unknown as WebSocketConstructor),
  browser: 'transformers/faye',
  clientOptions: () => ({}),
});
