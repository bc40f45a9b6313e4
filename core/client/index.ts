/** The client kernel: what runs in Node clients and, bundled, in browsers. */
export { Client, toError } from './client';
export { socketClass, type SocketClass } from './factory';
export type { ClientEvents, ClientConfig, ClientLedger, ClientOptions, ClientTransport, ClientPluginHalf, LostHandler, LostReason } from './types';
export { ClientUrl } from './url';
