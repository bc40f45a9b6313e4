import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AllsparkError, ErrorCodes } from '../../core/errors';

/**
 * Where `scripts/build-browser.js` puts the chunks: `dist/browser`. This
 * file runs from `dist/plugins/client-library` (built) or
 * `plugins/client-library` (ts-jest, ts-node), so both depths are tried.
 */
const CANDIDATES = [join(__dirname, '..', '..', 'browser'), join(__dirname, '..', '..', 'dist', 'browser')];

/** The folder holding the browser chunks, or undefined when they were never built. */
export function chunkDirectory(): string | undefined {
  return CANDIDATES.find((dir) => existsSync(join(dir, 'core.js')));
}

/**
 * The text of one prebuilt chunk: `core` or a plugin's `browser` folder
 * (`transformers/websockets`). Missing chunks are an error that says how
 * to produce them, not a library that fails later in the browser.
 */
export function readChunk(name: string, owner: string): string {
  const dir = chunkDirectory();
  const file = dir && join(dir, `${name}.js`);
  if (!file || !existsSync(file)) {
    throw new AllsparkError(
      ErrorCodes.PLUGIN_INVALID,
      `The browser chunk "${name}" of plugin "${owner}" is missing (dist/browser/${name}.js): run \`npm run build\``,
    );
  }
  return readFileSync(file, 'utf8').trim();
}
