import { registerHalf } from '../../core/client/browser';
import { plainJsonParser } from './plain';

// The browser half uses the codec without decode limits (see plain.ts).
registerHalf('json-parser', (client) => {
  client.parser = plainJsonParser;
});
