import { z } from 'zod';
import { definePlugin } from '../../core/plugin';
import { Slots } from '../../core/slots';
import { ejsonCodec } from './parser';
import { ejsonClient } from './client';

/**
 * EJSON text frames (Primus's `ejson` parser): JSON plus Dates, binary data
 * and custom types. Fills the kernel's parser slot.
 */
export const ejsonParser = definePlugin({
  name: 'ejson-parser',
  options: z.object({}).strict(),
  server(ctx) {
    ctx.provide(Slots.parser, ejsonCodec);
  },
  client: ejsonClient,
  browser: 'plugins/ejson-parser',
});

export { ejsonCodec, ejsonClient };
