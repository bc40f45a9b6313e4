import { registerHalf } from '../../core/client/browser';
import { heartbeatClient } from './client';

registerHalf('heartbeat', heartbeatClient);
