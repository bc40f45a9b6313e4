/**
 * A third-party plugin with a client half and its own wire messages:
 * "… is typing" indicators. Written only against the published allspark
 * API; copy this folder to start a plugin of your own (see docs/plugins.md).
 */
import { join } from 'node:path';
import { z } from 'zod/v4';
import { definePlugin, libraryFile } from 'allspark';
import { typingServer } from './server';
import { typingClient } from './client';

export type { TypingClientOptions } from './client';

export const typingOptions = z.strictObject({
  /** ms after the last keystroke before a client says it stopped typing. Default 3000. */
  idleMs: z.number().int().positive().default(3000),
});

export const typingIndicator = definePlugin({
  name: 'typing-indicator',
  allspark: '>=0.1.0 <1',
  options: typingOptions,
  server: (ctx) => typingServer(ctx),
  client: typingClient,
  // The bundled client half, built once by `npm run build` (same folder from src/ and dist/).
  library: libraryFile(join(__dirname, '..', 'browser', 'typing-indicator.js')),
  clientOptions: ({ idleMs }) => ({ idleMs }),
});
