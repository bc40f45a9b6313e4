import { registerHalf } from '../../core/client/browser';
import { websocketsClient, type WebSocketConstructor } from './client';

registerHalf('websockets', websocketsClient(() => WebSocket as unknown as WebSocketConstructor));
