import { defineParser, msgpackLimitsOptions } from '../../core/parser-plugin';
import { msgpackCodec, createMsgpackCodec } from './msgpack';
import { binaryPackCodec, createBinaryPackCodec } from './binarypack';
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
  create: createMsgpackCodec,
  options: msgpackLimitsOptions,
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
  create: createBinaryPackCodec,
  client: binaryPackClient,
  browser: 'plugins/binary-parser/binarypack',
});

export { msgpackCodec, binaryPackCodec, createMsgpackCodec, createBinaryPackCodec, msgpackClient, binaryPackClient };
