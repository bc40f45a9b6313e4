import { registerHalf } from '../../core/client/browser';
import { offlineClient } from './client';

registerHalf('offline', offlineClient);
