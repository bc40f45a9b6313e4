import * as msgpackr from 'msgpackr';
import { registerHalf } from '../../../core/client/browser';
import { msgpackCodecsFor } from '../msgpack';
import type { MsgpackrModule } from '../msgpack-lite';
import { parserHalf } from '../../../core/client/parser-half';

// Browser chunk `dist/browser/plugins/binary-parser/msgpack.js` (a folder of its own so the BinaryPack chunk
// stays without msgpackr). msgpackr is bundled here, so the served library needs no msgpackr installed.
// msgpackr's typings know only the one-argument `pack(value)` of an extension (see msgpack-lite.ts).
const { codec } = msgpackCodecsFor(msgpackr as unknown as MsgpackrModule);
registerHalf('msgpack-parser', parserHalf(() => codec));
