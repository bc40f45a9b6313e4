import type { ClientPluginHalf } from '../../core/client/types';
import { msgpackCodec } from './msgpack';

/** Client half of `msgpack-parser`: the same codec on the client. Browser-safe (msgpackr, no Node modules). */
export const msgpackClient: ClientPluginHalf = (client) => {
  client.parser = msgpackCodec;
};
