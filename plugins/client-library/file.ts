import { existsSync, readFileSync } from 'node:fs';
import { AllsparkError, ErrorCodes } from '../../core/errors';

/**
 * A plugin's `library` read from a prebuilt file (see `buildClientHalf` in
 * `allspark/build`): read on first use, then kept. A missing file is an
 * error that says to build it, not a library that lacks the half.
 *
 * @example
 * definePlugin({ name: 'typing', client: typingClient, library: libraryFile(join(__dirname, 'browser.js')) })
 */
export function libraryFile(path: string): () => string {
  let text: string | undefined;
  return () => {
    if (text !== undefined) return text;
    if (!existsSync(path)) {
      throw new AllsparkError(ErrorCodes.PLUGIN_INVALID, `The browser half ${path} is missing: build it with buildClientHalf (allspark/build)`);
    }
    return (text = readFileSync(path, 'utf8'));
  };
}
