// Entry of the browser bundle (`npm run build` → browser/typing-indicator.js):
// registers the client half with the generated client library.
import { registerHalf } from 'allspark/browser';
import { typingClient } from './client';

registerHalf('typing-indicator', typingClient);
