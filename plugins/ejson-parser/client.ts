import type { ClientPluginHalf } from '../../core/client/types';
import type { Parser } from '../../core/types';

/**
 * Client half of `ejson-parser`: the same codec as the server. `codec`
 * makes it: on Node from the optional `ejson` package (see index.ts), in
 * the browser chunk from the ejson bundled into it. Browser-safe.
 */
export function ejsonClientWith(codec: () => Parser): ClientPluginHalf {
  return (client) => {
    client.parser = codec();
  };
}
