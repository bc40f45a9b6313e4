import { z } from 'zod';
import { definePlugin } from '../../core/plugin';
import { Slots } from '../../core/slots';
import { jsonParser } from './parser';
import { jsonClient } from './client';

/**
 * The default parser: one JSON text per frame (Primus's `json`).
 * Fills the kernel's parser slot.
 */
export const jsonParserPlugin = definePlugin({
  name: 'json-parser',
  options: z.object({}).strict(),
  server(ctx) {
    ctx.provide(Slots.parser, jsonParser);
  },
  client: jsonClient,
  browser: 'plugins/json-parser',
});

export { jsonParser };
