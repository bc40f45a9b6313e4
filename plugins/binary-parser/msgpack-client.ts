import type { ClientPluginHalf } from '../../core/client/types';
import type { Parser } from '../../core/types';

/**
 * Client half of `msgpack-parser`: the same codec as the server. `codec`
 * makes it: on Node from the optional `msgpackr` package (see index.ts),
 * in the browser chunk from the msgpackr bundled into it. Browser-safe.
 */
export function msgpackClientWith(codec: () => Parser): ClientPluginHalf {
  return (client) => {
    client.parser = codec();
  };
}
