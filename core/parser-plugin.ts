import { z } from 'zod';
import { definePlugin, type PluginDefinition } from './plugin';
import { Slots } from './slots';
import type { Parser } from './types';
import type { ClientPluginHalf } from './client/types';

/**
 * What a parser plugin is made of: its codec (or a function making it, for a
 * codec built on an optional package, so a missing package is reported when
 * the plugin is used, not when it is imported), the client half using it,
 * and its browser chunk folder.
 */
export interface ParserPluginParts {
  name: string;
  codec: Parser | (() => Parser);
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
      const codec = parts.codec;
      ctx.provide(Slots.parser, typeof codec === 'function' ? codec() : codec);
    },
    client: parts.client,
    browser: parts.browser,
  });
}
