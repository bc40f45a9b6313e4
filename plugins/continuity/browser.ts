import { registerHalf } from '../../core/client/browser';
import { continuityClient } from './client';

registerHalf('continuity', continuityClient);
