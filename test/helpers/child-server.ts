import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { ChildConfig } from './child/echo-server';

const ROOT = join(__dirname, '..', '..');
let bundle: string | undefined;

/** Bundle the child's TypeScript once per test file (esbuild, dependencies left to node_modules). */
function childScript(): string {
  if (bundle !== undefined) return bundle;
  const out = join(mkdtempSync(join(tmpdir(), 'allspark-child-')), 'echo-server.js');
  buildSync({
    entryPoints: [join(__dirname, 'child', 'echo-server.ts')],
    bundle: true,
    platform: 'node',
    packages: 'external',
    outfile: out,
    logLevel: 'silent',
  });
  bundle = out;
  return out;
}

export interface LogEntry {
  level: string;
  code?: string;
  message: string;
}

/** An echo server running in a child process. */
export class ChildServer {
  readonly logs: LogEntry[] = [];
  /** How the process ended, once it did. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  stderr = '';
  port = 0;

  constructor(readonly proc: ChildProcess) {
    proc.stderr?.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += chunk.toString();
    });
    proc.on('exit', (code, signal) => (this.exit = { code, signal }));
    proc.on('message', (m: { log?: LogEntry }) => {
      if (m.log !== undefined && this.logs.length < 100_000) this.logs.push(m.log);
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.exit === null;
  }

  /** A description of how the process died, for failure messages. */
  get death(): string {
    return this.exit === null ? 'alive' : `exited (${this.exit.code ?? this.exit.signal}): ${this.stderr.slice(0, 2000)}`;
  }

  /** Log entries with this code. */
  logged(code: string): LogEntry[] {
    return this.logs.filter((entry) => entry.code === code);
  }

  /** The child's RSS and open connections. */
  stats(ms = 10_000): Promise<{ rss: number; connected: number }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no stats from the child: ${this.death}`)), ms);
      const onMessage = (m: { stats?: { rss: number; connected: number } }): void => {
        if (m.stats === undefined) return;
        clearTimeout(timer);
        this.proc.off('message', onMessage);
        resolve(m.stats);
      };
      this.proc.on('message', onMessage);
      this.proc.send('stats');
    });
  }

  /** End the process (SIGKILL after 5 s) and wait for it. */
  async stop(): Promise<void> {
    if (this.exit !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Start an echo server in a child process and wait until it listens. */
export async function startChild(config: ChildConfig): Promise<ChildServer> {
  const proc = fork(childScript(), [JSON.stringify(config)], {
    cwd: ROOT,
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const child = new ChildServer(proc);
  child.port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child did not listen: ${child.death}`)), 30_000);
    proc.on('message', (m: { port?: number }) => {
      if (m.port === undefined) return;
      clearTimeout(timer);
      resolve(m.port);
    });
    proc.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the child died before listening: ${child.death}`));
    });
  });
  return child;
}
