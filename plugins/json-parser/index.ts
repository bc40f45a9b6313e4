import { defineParser } from '../../core/parser-plugin';
import { jsonParser } from './parser';
import { jsonClient } from './client';

/**
 * The default parser: one JSON text per frame (Primus's `json`).
 * Fills the kernel's parser slot.
 */
export const jsonParserPlugin = defineParser({
  name: 'json-parser',
  codec: jsonParser,
  client: jsonClient,
  browser: 'plugins/json-parser',
});

export { jsonParser };
