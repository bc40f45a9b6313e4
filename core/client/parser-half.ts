import type { Parser } from '../types';
import type { ClientPluginHalf } from './types';

/**
 * The client half of a parser plugin whose codec is made on first use
 * (msgpack, EJSON): it sets the codec `make` returns. On Node `make` loads
 * the optional package the codec needs; a browser chunk passes the codec
 * it bundles. Browser-safe.
 */
export function parserHalf(make: () => Parser): ClientPluginHalf {
  return (client) => {
    client.parser = make();
  };
}
