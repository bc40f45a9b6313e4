import { defineParser, deferredCodec } from '../../core/parser-plugin';
import { requireOptional } from '../../core/optional';
import type { DecodeLimits } from '../../core/decode-limits';
import type { Parser } from '../../core/types';
import { ejsonCodecOn, type EjsonModule } from './parser';
import { parserHalf } from '../../core/client/parser-half';

let ejson: EjsonModule | undefined;
let defaults: Parser | undefined;

/** A codec holding frames to `limits`, on the optional `ejson` package (ALLSPARK_DEPENDENCY without it). */
const createEjsonCodec = (limits?: DecodeLimits): Parser => {
  ejson ??= requireOptional<EjsonModule>('ejson', 'Parser "ejson"');
  return ejsonCodecOn(ejson, limits);
};
const defaultEjson = (): Parser => (defaults ??= createEjsonCodec());

/** The EJSON codec with the default limits; `ejson` is loaded when it first encodes or decodes. */
const ejsonCodec = deferredCodec('ejson', false, defaultEjson);
/** Client half of `ejson-parser` on Node: the server's codec, from the optional `ejson`. */
const ejsonClient = parserHalf(defaultEjson);

/**
 * EJSON text frames (Primus's `ejson` parser): JSON plus Dates, binary data
 * and custom types. Fills the kernel's parser slot. Needs the optional
 * `ejson` package on Node (the browser library bundles its own).
 */
export const ejsonParser = defineParser({
  name: 'ejson-parser',
  codec: defaultEjson,
  create: createEjsonCodec,
  client: ejsonClient,
  browser: 'plugins/ejson-parser',
});

export { ejsonCodec, createEjsonCodec, ejsonClient };
