import { registerHalf } from '../../core/client/browser';
import { eventsClient } from './client';

registerHalf('events', eventsClient);
