/**
 * Past the file-descriptor limit libuv accepts and drops new connections
 * without telling anyone. A server child under `ulimit -n 64` is flooded
 * with raw TCP connections: it must say so (ALLSPARK_OVERLOAD in the log and
 * an `overload` event), survive, say when it recovered, and serve again once
 * the flood is gone. Uses the built dist/ (`npm test` builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { next } from './harness';

const SERVER = join(__dirname, '..', 'fixtures', 'fd-limit-server.js');
const LIMIT = 64;

type Line = { port?: number; log?: string; code?: string; message?: string; overload?: string };

/** Start the server child under the low limit; `lines` collects what it prints. */
function startChild(): { child: ChildProcess; lines: Line[]; waitFor(test: (l: Line) => boolean, ms?: number): Promise<Line> } {
  const child = spawn('sh', ['-c', `ulimit -n ${LIMIT} && exec "$0" "$1"`, process.execPath, SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Line[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    lines.push(JSON.parse(text) as Line);
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (test: (l: Line) => boolean, ms = 15_000): Promise<Line> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; child printed ${JSON.stringify(lines)}`)), ms);
      const look = (): void => {
        const hit = lines.find(test);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else waiters.push(look);
      };
      look();
    });
  return { child, lines, waitFor };
}

describe('out of file descriptors', () => {
  let child: ChildProcess | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    child = undefined;
  });

  test('EMFILE is logged and emitted once, the server survives, recovers and serves again', async () => {
    const started = startChild();
    child = started.child;
    const { port } = await started.waitFor((l) => l.port !== undefined);
    // Twice the limit in raw connections that never send a request.
    for (let i = 0; i < 2 * LIMIT; i++) {
      const socket = connect(port!, '127.0.0.1');
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    expect(await started.waitFor((l) => l.overload !== undefined)).toEqual({ overload: 'ALLSPARK_OVERLOAD' });
    const logged = await started.waitFor((l) => l.code === 'ALLSPARK_OVERLOAD');
    expect(logged.log).toBe('error');
    expect(logged.message).toBe(
      'Out of file descriptors (EMFILE): new connections are accepted and dropped by the OS layer until some close. ' +
        'Raise the limit (ulimit -n) or set maxConnections below it',
    );
    for (const s of sockets.splice(0)) s.destroy();
    expect((await started.waitFor((l) => l.log === 'info')).message).toBe(
      'File descriptors are available again: new connections are accepted',
    );
    const ws = new WebSocket(`ws://127.0.0.1:${port}/primus`);
    await next(ws, 'open');
    ws.send('"again"');
    const [reply] = await new Promise<[Buffer]>((resolve) => ws.on('message', (...args: unknown[]) => resolve(args as [Buffer])));
    expect(reply.toString()).toBe('"again"');
    ws.close();
    expect(started.lines.filter((l) => l.overload !== undefined).length).toBe(1);
    expect(child.exitCode).toBe(null);
  });
});
