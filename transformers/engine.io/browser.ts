import { Socket } from 'engine.io-client';
import { registerHalf } from '../../core/client/browser';
import { engineioClient, type EngineSocketConstructor } from './client';

registerHalf('engine.io', engineioClient(Socket as unknown as EngineSocketConstructor));
