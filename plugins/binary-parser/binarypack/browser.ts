import { registerHalf } from '../../../core/client/browser';
import { binaryPackClient } from '../binarypack-client';

// Browser chunk `dist/browser/plugins/binary-parser/binarypack.js`.
registerHalf('binary-parser', binaryPackClient);
