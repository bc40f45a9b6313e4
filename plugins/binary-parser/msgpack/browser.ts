import { registerHalf } from '../../../core/client/browser';
import { msgpackClient } from '../msgpack-client';

// Browser chunk `dist/browser/plugins/binary-parser/msgpack.js` (a folder of its own so the BinaryPack chunk stays without msgpackr).
registerHalf('msgpack-parser', msgpackClient);
