import { defineParser } from '../../core/parser-plugin';
import { msgpackCodec } from './msgpack';
import { binaryPackCodec } from './binarypack';
import { msgpackClient } from './msgpack-client';
import { binaryPackClient } from './binarypack-client';

/**
 * MessagePack frames (Primus's `msgpack` parser, wire-compatible with
 * `primus-msgpack`/msgpack-lite). Fills the kernel's parser slot; needs a
 * transformer that carries binary frames.
 */
export const msgpackParser = defineParser({
  name: 'msgpack-parser',
  codec: msgpackCodec,
  client: msgpackClient,
  browser: 'plugins/binary-parser/msgpack',
});

/**
 * BinaryPack frames (Primus's `binary` parser, byte-compatible with
 * `binary-pack`). Fills the kernel's parser slot; needs a transformer that
 * carries binary frames.
 */
export const binaryParser = defineParser({
  name: 'binary-parser',
  codec: binaryPackCodec,
  client: binaryPackClient,
  browser: 'plugins/binary-parser/binarypack',
});

export { msgpackCodec, binaryPackCodec, msgpackClient, binaryPackClient };
