import { AllsparkError, ErrorCodes, describe } from '../core/errors';

/**
 * The `permessage-deflate` extension that faye-websocket (and SockJS, which
 * runs on it) needs for compression. It is optional, so it is loaded only
 * when a transformer is asked to compress, with a clear error if missing.
 */
export function deflateExtension(plugin: string): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('permessage-deflate');
  } catch (err) {
    throw new AllsparkError(
      ErrorCodes.PLUGIN_OPTIONS,
      `Plugin "${plugin}": compression needs the "permessage-deflate" package (npm install permessage-deflate): ${describe(err)}`,
      { cause: err },
    );
  }
}
