'use strict';
// Install size: what `npm install` brings into an empty folder for a
// websockets + JSON server. allspark is the `npm pack` tarball of this
// checkout installed with --omit=dev (so none of its optional transports or
// parsers); the others are installed from the npm registry (served from the
// npm cache when it has them). Sizes are measured once per run: they do not
// change between rounds.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile } = require('child_process');
const { promisify } = require('util');

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const NPM = ['--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];

/** `npm pack` this checkout into `dir`; the tarball's path. */
async function packed(dir) {
  const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--ignore-scripts', '--silent'], { cwd: ROOT });
  return path.join(dir, stdout.trim().split('\n').pop());
}

/**
 * What each system installs: a function of the temp folder (allspark packs itself there first).
 * allspark depends on zod 3.25 (5 MiB on disk; it also ships the zod 4 API); `allspark+zod@4` is a
 * project on zod 4, which gets zod 4 (8 MiB) beside allspark's own.
 */
const SPECS = {
  allspark: async (dir) => [await packed(dir)],
  'allspark+zod@4': async (dir) => [await packed(dir), 'zod@4'],
  'primus+ws': async () => ['primus@8', 'ws@8'],
  'socket.io': async () => ['socket.io@4.8'],
};

/** Disk usage (allocated blocks, as `du` counts), apparent bytes and file count of a folder tree. */
function treeSize(dir) {
  let disk = 0;
  let bytes = 0;
  let files = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop();
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      const st = fs.lstatSync(p);
      disk += st.blocks * 512;
      if (entry.isDirectory()) stack.push(p);
      else if (entry.isFile()) {
        bytes += st.size;
        files++;
      }
    }
  }
  return { disk, bytes, files };
}

/** Installed packages: every folder under node_modules (scoped and nested ones too) with a package.json. */
function packageCount(modules) {
  let count = 0;
  const visit = (nm) => {
    if (!fs.existsSync(nm)) return;
    for (const name of fs.readdirSync(nm)) {
      if (name.startsWith('.')) continue;
      const dirs = name.startsWith('@') ? fs.readdirSync(path.join(nm, name)).map((n) => path.join(nm, name, n)) : [path.join(nm, name)];
      for (const d of dirs) {
        if (!fs.existsSync(path.join(d, 'package.json'))) continue;
        count++;
        visit(path.join(d, 'node_modules'));
      }
    }
  };
  visit(modules);
  return count;
}

async function measureInstall(system) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'allspark-bench-install-'));
  try {
    const specs = await SPECS[system](base);
    const app = path.join(base, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'bench-install', private: true }));
    await run('npm', ['install', ...NPM, ...specs], { cwd: app, timeout: 180_000 });
    const modules = path.join(app, 'node_modules');
    const own = system.startsWith('allspark') ? treeSize(path.join(modules, 'allspark')) : undefined;
    return { ...treeSize(modules), packages: packageCount(modules), ...(own && { ownDisk: own.disk, ownBytes: own.bytes }) };
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

const measured = new Map();

const install = {
  name: 'install',
  systems: Object.keys(SPECS),
  /** Measured in the first round; later rounds repeat the figure (no noise to average out). */
  async run(_ctx, system) {
    if (!measured.has(system)) measured.set(system, await measureInstall(system));
    return measured.get(system);
  },
};

module.exports = { install, treeSize, packageCount };
