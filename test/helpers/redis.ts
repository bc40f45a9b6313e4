import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's redis-server, wherever PATH has it. */
const BINARY = 'redis-server';

/**
 * Is `redis-server` installed? Without it the Redis tests skip locally;
 * under `CI=true` a missing binary throws, so CI fails instead of skipping.
 */
export function redisAvailable(): boolean {
  const found = spawnSync(BINARY, ['--version'], { encoding: 'utf8' }).status === 0;
  if (!found && process.env.CI === 'true') {
    throw new Error('redis-server is not installed: `apt-get install -y redis-server` (CI must not skip the Redis tests)');
  }
  return found;
}

/** A real redis-server of the test's own, in a temp dir, without persistence. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stop it (SIGKILL: a crash, not a clean shutdown). */
  kill(): Promise<void>;
  /** Start it again on the same port (empty, unless persistent). */
  restart(): Promise<void>;
  /** Stop it and remove its dir. */
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * With `persistent`, every write is in the append-only file before Redis answers
 * (`--appendonly yes --appendfsync always`), so a SIGKILL and `restart()` keep the data.
 */
export interface RedisSettings {
  persistent?: boolean;
}

/** Start redis-server on a free port (`--save '' --appendonly no` unless persistent); resolves once it accepts connections. */
export async function startRedis(settings: RedisSettings = {}): Promise<RedisServer> {
  return startRedisAt(await freePort(), settings);
}

/** Start redis-server on a given port (a node was told this address before Redis existed). */
export async function startRedisAt(port: number, settings: RedisSettings = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'allspark-redis-'));
  const launch = (): Promise<ChildProcess> => launchIn(dir, port, settings.persistent === true);
  let child: ChildProcess | null = await launch();
  const kill = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    async restart() {
      await kill();
      child = await launch();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launchIn(dir: string, port: number, persistent: boolean): Promise<ChildProcess> {
  const persistence = persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence, '--loglevel', 'warning'];
  for (let attempt = 0; ; attempt++) {
    const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await ready(child, port);
      return child;
    } catch (err) {
      child.kill('SIGKILL');
      // The port may still be held a moment after a kill; try again a few times.
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Resolve once a PING on `port` answers, reject if the process exits first. */
async function ready(child: ChildProcess, port: number): Promise<void> {
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${output.slice(-500)}`);
    if (await pong(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on port ${port}: ${output.slice(-500)}`);
}

/** Does a Redis on `port` answer PING? */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d;
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
  });
}
