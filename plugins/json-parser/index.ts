import { defineParser } from '../../core/parser-plugin';
import { jsonParser, createJsonCodec } from './parser';
import { jsonClient } from './client';

/**
 * The default parser: one JSON text per frame (Primus's `json`).
 * Fills the kernel's parser slot.
 */
export const jsonParserPlugin = defineParser({
  name: 'json-parser',
  codec: jsonParser,
  create: createJsonCodec,
  client: jsonClient,
  browser: 'plugins/json-parser',
});

export { jsonParser, createJsonCodec };
