import { registerHalf } from '../../core/client/browser';
import { reconnectClient } from './client';

registerHalf('reconnect', reconnectClient);
