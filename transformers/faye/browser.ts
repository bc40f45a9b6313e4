import { registerHalf } from '../../core/client/browser';
import { websocketsClient, type WebSocketConstructor } from '../websockets/client';

// Same wire as `websockets`: the browser's own WebSocket.
registerHalf('faye', websocketsClient(() => WebSocket as unknown as WebSocketConstructor));
