import { defineParser } from '../../core/parser-plugin';
import { requireOptional } from '../../core/optional';
import type { Parser } from '../../core/types';
import { createMsgpackCodec } from './msgpack';
import type { MsgpackrModule } from './msgpack-lite';
import { binaryPackCodec } from './binarypack';
import { msgpackClientWith } from './msgpack-client';
import { binaryPackClient } from './binarypack-client';

let msgpack: Parser | undefined;

/**
 * The msgpack codec on Node, made on first use from the optional `msgpackr`
 * package: without it, ALLSPARK_MISSING_PACKAGE when the parser is used.
 */
export function msgpackCodec(): Parser {
  msgpack ??= createMsgpackCodec(requireOptional<MsgpackrModule>('msgpackr', 'Parser "msgpack"'));
  return msgpack;
}

/** Client half of `msgpack-parser` on Node. */
export const msgpackClient = msgpackClientWith(msgpackCodec);

/**
 * MessagePack frames (Primus's `msgpack` parser, wire-compatible with
 * `primus-msgpack`/msgpack-lite). Fills the kernel's parser slot; needs a
 * transformer that carries binary frames, and the optional `msgpackr`
 * package on Node (the browser library bundles its own).
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

export { binaryPackCodec, binaryPackClient };
