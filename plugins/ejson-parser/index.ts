import { defineParser } from '../../core/parser-plugin';
import { requireOptional } from '../../core/optional';
import type { Parser } from '../../core/types';
import { createEjsonCodec, type EjsonModule } from './parser';
import { ejsonClientWith } from './client';

let ejson: Parser | undefined;

/**
 * The EJSON codec on Node, made on first use from the optional `ejson`
 * package: without it, ALLSPARK_MISSING_PACKAGE when the parser is used.
 */
export function ejsonCodec(): Parser {
  ejson ??= createEjsonCodec(requireOptional<EjsonModule>('ejson', 'Parser "ejson"'));
  return ejson;
}

/** Client half of `ejson-parser` on Node. */
export const ejsonClient = ejsonClientWith(ejsonCodec);

/**
 * EJSON text frames (Primus's `ejson` parser): JSON plus Dates, binary data
 * and custom types. Fills the kernel's parser slot. Needs the optional
 * `ejson` package on Node (the browser library bundles its own).
 */
export const ejsonParser = defineParser({
  name: 'ejson-parser',
  codec: ejsonCodec,
  client: ejsonClient,
  browser: 'plugins/ejson-parser',
});

