/**
 * The allspark chat demo: `npm start`, then open http://localhost:8080/ in
 * a few tabs. One HTTP server serves the page, the Primus-compatible
 * facade serves `/primus/primus.js` and the connections. Chat happens in
 * rooms (the rooms plugin: each message encoded once for the room) with
 * typed events (the events plugin: every payload validated by the schemas
 * in `events.ts` before a handler sees it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Primus } from '../facade/primus';
import type { Spark } from '../core/spark';
import { roomsOf } from '../plugins/rooms';
import { chatEvents } from './events';

/** Where everyone starts. */
const LOBBY = 'lobby';

/** The page lives in `demo/public`; from `dist/demo` read it from the source tree. */
function pageFile(): string {
  const candidates = [join(__dirname, 'public', 'index.html'), join(__dirname, '..', '..', 'demo', 'public', 'index.html')];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`demo page not found (looked in ${candidates.join(', ')})`);
  return found;
}

export interface DemoOptions {
  /** Port to listen on; 0 picks a free one. Default `PORT` from the environment, else 8080. */
  port?: number;
  /** Address to listen on. Default: all interfaces. */
  host?: string;
}

export interface Demo {
  server: Server;
  primus: Primus;
  /** Where the page is, e.g. `http://localhost:8080/`. */
  url: string;
  close(): Promise<void>;
}

/** Start the chat demo server. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const port = options.port ?? Number(process.env.PORT ?? 8080);
  const page = readFileSync(pageFile());
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': page.length });
      res.end(page);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not Found');
  });
  const primus = new Primus(server, { pingInterval: 25_000, rooms: true, events: { map: chatEvents } });
  const chat = roomsOf(primus);
  const presence = (room: string): void => void chat.room(room).emit('presence', { room, online: chat.room(room).sparks().length });
  const roomOf = (spark: Spark): string => [...spark.rooms][0] ?? LOBBY;

  primus.on('connection', (spark: Spark) => {
    const s = chatEvents.spark(spark);
    spark.join(LOBBY);
    s.emit('welcome', { id: spark.id, room: LOBBY });
    presence(LOBBY);
    s.on('join', (room) => {
      const left = roomOf(spark);
      if (room === left) return chat.room(room).sparks().length;
      spark.leave(left).join(room);
      presence(left);
      presence(room);
      return chat.room(room).sparks().length;
    });
    s.on('say', ({ name, text }) => {
      const room = roomOf(spark);
      chat.room(room).emit('chat', { room, name, text, at: Date.now() });
    });
  });
  // A spark that ends has left its room already: tell the room it is one fewer.
  primus.kernel.on('leaveallrooms', (left: string[]) => left.forEach(presence));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = !options.host || options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    server,
    primus,
    url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}/`,
    close: () => new Promise<void>((resolve) => primus.destroy({}, () => resolve())),
  };
}

if (require.main === module) {
  startDemo().then(
    (demo) => {
      console.log(`allspark chat demo running at ${demo.url}`);
      console.log('  open it in two or more browser tabs and chat; toggle the network to see offline/online');
      console.log(`  client library: ${demo.url}primus/primus.js`);
      console.log('  stop with Ctrl+C');
      process.once('SIGINT', () => void demo.close().then(() => process.exit(0)));
    },
    (err: Error) => {
      console.error(`allspark demo could not start: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
