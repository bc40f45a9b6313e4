import type { ClientPluginHalf } from '../../core/client/types';
import { ejsonCodec } from './parser';

/** Client half of `ejson-parser`: the same codec on the client. Browser-safe (`ejson` has no Node dependencies). */
export const ejsonClient: ClientPluginHalf = (client) => {
  client.parser = ejsonCodec;
};
