// sockjs-client's own browser build: its sources expect browserify's `global`, its dist bundle provides it.
import SockJS from 'sockjs-client/dist/sockjs.min.js';
import { registerHalf } from '../../core/client/browser';
import { sockjsClient, type SockJSConstructor } from './client';

registerHalf('sockjs', sockjsClient(SockJS as unknown as SockJSConstructor));
