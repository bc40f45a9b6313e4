import { z } from 'zod';
import { definePlugin } from '../../core/plugin';
import { Slots } from '../../core/slots';
import { msgpackCodec } from './msgpack';
import { binaryPackCodec } from './binarypack';
import { msgpackClient } from './msgpack-client';
import { binaryPackClient } from './binarypack-client';

/**
 * MessagePack frames (Primus's `msgpack` parser, wire-compatible with
 * `primus-msgpack`/msgpack-lite). Fills the kernel's parser slot; needs a
 * transformer that carries binary frames.
 */
export const msgpackParser = definePlugin({
  name: 'msgpack-parser',
  options: z.object({}).strict(),
  server(ctx) {
    ctx.provide(Slots.parser, msgpackCodec);
  },
  client: msgpackClient,
  browser: 'plugins/binary-parser/msgpack',
});

/**
 * BinaryPack frames (Primus's `binary` parser, byte-compatible with
 * `binary-pack`). Fills the kernel's parser slot; needs a transformer that
 * carries binary frames.
 */
export const binaryParser = definePlugin({
  name: 'binary-parser',
  options: z.object({}).strict(),
  server(ctx) {
    ctx.provide(Slots.parser, binaryPackCodec);
  },
  client: binaryPackClient,
  browser: 'plugins/binary-parser/binarypack',
});

export { msgpackCodec, binaryPackCodec, msgpackClient, binaryPackClient };
