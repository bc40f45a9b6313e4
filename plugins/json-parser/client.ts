import type { ClientPluginHalf } from '../../core/client/types';
import { jsonParser } from './parser';

/** Client half: the same codec on the client. */
export const jsonClient: ClientPluginHalf = (client) => {
  client.parser = jsonParser;
};
