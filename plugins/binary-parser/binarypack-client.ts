import type { ClientPluginHalf } from '../../core/client/types';
import { binaryPackCodec } from './binarypack';

/**
 * Client half of `binary-parser`: the same codec on the client. A file of
 * its own so a browser bundle using BinaryPack does not pull in msgpackr.
 */
export const binaryPackClient: ClientPluginHalf = (client) => {
  client.parser = binaryPackCodec;
};
