import { registerHalf } from '../../core/client/browser';
import { jsonClient } from './client';

registerHalf('json-parser', jsonClient);
