import { registerHalf } from '../../core/client/browser';
import { ejsonClient } from './client';

registerHalf('ejson-parser', ejsonClient);
