import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Bundle a TypeScript entry (our sources inlined, npm packages left to
 * `require`) so tests can run it as a real child process without a build
 * step: into a temp dir (children then need NODE_PATH, as {@link startNode}
 * sets it), or into `file` when given. Returns the file and a cleanup.
 */
export function bundle(entry: string, file?: string): { file: string; remove: () => void } {
  const dir = file === undefined ? mkdtempSync(join(tmpdir(), 'allspark-node-')) : dirname(file);
  const out = file ?? join(dir, 'node.js');
  if (file !== undefined) mkdirSync(dir, { recursive: true });
  // The esbuild CLI in a child that exits: the JS API would leave its service process running in the test worker.
  const result = spawnSync(join(ROOT, 'node_modules', 'esbuild', 'bin', 'esbuild'), [entry, '--bundle', '--platform=node', '--packages=external', `--outfile=${out}`, '--log-level=error'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`esbuild failed to bundle ${entry}: ${result.stderr || result.error}`);
  return { file: out, remove: () => rmSync(file ?? dir, { recursive: true, force: true }) };
}

/** A child node process that printed `listening <port>`. */
export interface NodeProcess {
  child: ChildProcess;
  port: number;
}

/** Start `file` with `env`; resolves once it prints `listening <port>`. */
export function startNode(file: string, env: Record<string, string> = {}): Promise<NodeProcess> {
  const child = fork(file, [], {
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return new Promise((resolvePort, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('child node did not start within 15 s')), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolvePort({ child, port: Number(match[1]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child node exited with ${code} before listening`));
    });
  });
}

/** Send `signal` to a child and wait for it to be gone (at once if it is gone already). */
export async function killChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await gone;
}

/** SIGKILL a child node and wait for it to be gone. */
export function kill(node: NodeProcess): Promise<void> {
  return killChild(node.child);
}
