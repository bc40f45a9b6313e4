import * as EJSON from 'ejson';
import { registerHalf } from '../../core/client/browser';
import { ejsonCodecOn } from './parser';
import { parserHalf } from '../../core/client/parser-half';

// `ejson` is bundled into this chunk, so the served library needs no ejson installed.
const codec = ejsonCodecOn(EJSON);
registerHalf('ejson-parser', parserHalf(() => codec));
