import { defineParser } from '../../core/parser-plugin';
import { ejsonCodec } from './parser';
import { ejsonClient } from './client';

/**
 * EJSON text frames (Primus's `ejson` parser): JSON plus Dates, binary data
 * and custom types. Fills the kernel's parser slot.
 */
export const ejsonParser = defineParser({
  name: 'ejson-parser',
  codec: ejsonCodec,
  client: ejsonClient,
  browser: 'plugins/ejson-parser',
});

export { ejsonCodec, ejsonClient };
