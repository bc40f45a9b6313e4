import { defineParser } from '../../core/parser-plugin';
import { ejsonCodec, createEjsonCodec } from './parser';
import { ejsonClient } from './client';

/**
 * EJSON text frames (Primus's `ejson` parser): JSON plus Dates, binary data
 * and custom types. Fills the kernel's parser slot.
 */
export const ejsonParser = defineParser({
  name: 'ejson-parser',
  codec: ejsonCodec,
  create: createEjsonCodec,
  client: ejsonClient,
  browser: 'plugins/ejson-parser',
});

export { ejsonCodec, createEjsonCodec, ejsonClient };
