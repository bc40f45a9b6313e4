import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = join(__dirname, '..', '..');
const NPM_FLAGS = ['--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];

/** A folder holding `allspark`'s packed tarball installed as a user installs it, with `--omit=dev`. */
export interface PackedApp {
  /** The app folder (its `node_modules` has allspark and its dependencies only). */
  dir: string;
  /** The tarball `npm pack` wrote. */
  tarball: string;
}

/**
 * `npm pack` this checkout (its `dist/` must be built: `npm run build`) and
 * install the tarball into an empty folder with `--omit=dev`, from the npm
 * cache when it has everything (`--prefer-offline`).
 */
export async function packAndInstall(): Promise<PackedApp> {
  if (!existsSync(join(ROOT, 'dist', 'index.mjs'))) throw new Error('dist/ is not built: run `npm run build` first');
  const base = mkdtempSync(join(tmpdir(), 'allspark-packed-'));
  await run('npm', ['pack', '--pack-destination', base, ...NPM_FLAGS], { cwd: ROOT });
  const tarball = join(base, readdirSync(base).find((f) => f.endsWith('.tgz'))!);
  const dir = join(base, 'app');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'packed-app', private: true }));
  await run('npm', ['install', '--omit=dev', '--prefer-offline', ...NPM_FLAGS, tarball], { cwd: dir, timeout: 120_000 });
  return { dir, tarball };
}

/** Run `node file` in the app folder (file written from `source`); resolves to its stdout parsed as JSON. */
export async function runInApp(app: PackedApp, file: string, source: string): Promise<any> {
  writeFileSync(join(app.dir, file), source);
  const { stdout } = await run(process.execPath, [file], { cwd: app.dir, timeout: 60_000, env: { ...process.env, NODE_PATH: '' } });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}
