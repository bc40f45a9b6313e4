import { z } from 'zod/v3';
import { definePlugin, type PluginDefinition } from './plugin';
import { Slots } from './slots';
import type { Parser } from './types';
import type { ClientPluginHalf } from './client/types';

/** What a parser plugin is made of: its codec, the client half using it, and its browser chunk folder. */
export interface ParserPluginParts {
  name: string;
  codec: Parser;
  client: ClientPluginHalf;
  browser?: string;
}

/**
 * Declare a parser plugin: it fills the kernel's parser slot with `codec`
 * on the server and runs `client` (which sets the same codec) on clients.
 * Parsers take no options.
 */
export function defineParser(parts: ParserPluginParts): PluginDefinition<z.ZodObject<{}, "strict">> {
  return definePlugin({
    name: parts.name,
    options: z.object({}).strict(),
    server(ctx) {
      ctx.provide(Slots.parser, parts.codec);
    },
    client: parts.client,
    browser: parts.browser,
  });
}
