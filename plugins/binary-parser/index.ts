import { defineParser, deferredCodec, msgpackLimitsOptions } from '../../core/parser-plugin';
import { requireOptional } from '../../core/optional';
import type { DecodeLimits } from '../../core/decode-limits';
import type { Parser } from '../../core/types';
import { msgpackCodecsFor, type MsgpackCodecs } from './msgpack';
import type { MsgpackrModule } from './msgpack-lite';
import { binaryPackCodec, createBinaryPackCodec } from './binarypack';
import { parserHalf } from '../../core/client/parser-half';
import { binaryPackClient } from './binarypack-client';

let msgpack: MsgpackCodecs | undefined;

/** The msgpack codecs, made on first use from the optional `msgpackr` package (ALLSPARK_DEPENDENCY without it). */
function msgpackCodecs(): MsgpackCodecs {
  msgpack ??= msgpackCodecsFor(requireOptional<MsgpackrModule>('msgpackr', 'Parser "msgpack"'));
  return msgpack;
}
const defaultMsgpack = (): Parser => msgpackCodecs().codec;

/** The msgpack codec with the default limits; msgpackr is loaded when it first encodes or decodes. */
const msgpackCodec = deferredCodec('msgpack', true, defaultMsgpack);
/** A msgpack codec holding frames to `limits`; loads msgpackr. */
const createMsgpackCodec = (limits?: DecodeLimits): Parser => msgpackCodecs().create(limits);
/** Client half of `msgpack-parser` on Node: the server's codec, from the optional `msgpackr`. */
const msgpackClient = parserHalf(defaultMsgpack);

/**
 * MessagePack frames (Primus's `msgpack` parser, wire-compatible with
 * `primus-msgpack`/msgpack-lite). Fills the kernel's parser slot; needs a
 * transformer that carries binary frames, and the optional `msgpackr`
 * package on Node (the browser library bundles its own).
 */
export const msgpackParser = defineParser({
  name: 'msgpack-parser',
  codec: defaultMsgpack,
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
