import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis';

const BINARY = ['/usr/sbin/nginx', 'nginx'].find((b) => spawnSync(b, ['-v']).status === 0);

/** Is Debian's nginx installed? Under `CI=true` a missing binary throws (CI must not skip). */
export function nginxAvailable(): boolean {
  if (BINARY === undefined && process.env.CI === 'true') {
    throw new Error('nginx is not installed: `apt-get install -y nginx` (CI must not skip the nginx test)');
  }
  return BINARY !== undefined;
}

/** nginx running a config in a temp dir; `url` is where it listens. */
export interface Nginx {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Run `config` (a whole nginx.conf, such as docs/nginx.conf) with its
 * `upstream` servers replaced by `backends`, its `listen` by a free port,
 * and its pid, logs and temp files moved to a temp dir.
 */
export async function startNginx(configPath: string, backends: number[]): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'allspark-nginx-'));
  mkdirSync(join(dir, 'logs'));
  const port = await freePort();
  let config = readFileSync(configPath, 'utf8');
  const servers = backends.map((p) => `        server 127.0.0.1:${p} max_fails=3 fail_timeout=10s;`).join('\n');
  config = config
    .replace(/^\s*server 127\.0\.0\.1:\d+ .*\n/gm, '')
    .replace(/(upstream allspark \{[^]*?)(\s*keepalive)/, `$1\n${servers}$2`)
    .replace(/listen \d+;/, `listen 127.0.0.1:${port};`)
    .replace(/^pid .*;$/m, `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'logs', 'error.log')} warn;`)
    .replace(/^worker_processes .*;$/m, 'worker_processes 1;')
    .replace(
      /http \{/,
      `http {\n    access_log off;\n    client_body_temp_path ${dir}/body;\n    proxy_temp_path ${dir}/proxy;\n` +
        `    fastcgi_temp_path ${dir}/fastcgi;\n    uwsgi_temp_path ${dir}/uwsgi;\n    scgi_temp_path ${dir}/scgi;`,
    );
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config);
  const child: ChildProcess = spawn(BINARY!, ['-p', dir, '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await waitForPort(port, child, () => stderr);
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM'); // fast shutdown: a graceful one waits for open long polls
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen: ${stderr()}`);
}
