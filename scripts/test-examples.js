#!/usr/bin/env node
'use strict';
/**
 * Test the examples as their users would run them: against the packed
 * package, not this repository's source.
 *
 *   1. `npm pack` this package (dist/ must be built: `npm run build`);
 *   2. for each examples/<name>/: copy it to tmp/examples-<pid>/<name>, unpack the
 *      tarball as its node_modules/allspark, link every other package from this
 *      repository's node_modules (no network), then run its `tsc` build, its
 *      build.js if any (the browser bundle) and its jest tests.
 *
 * Usage: npm run test:examples, or node scripts/test-examples.js [name…]   (default: every example)
 * (`npm test` runs only the quick check of test/examples-pack.test.ts.)
 * Exits non-zero, with the failing step's output, when anything fails.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, 'tmp', `examples-${process.pid}`);
const MODULES = path.join(ROOT, 'node_modules');

function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  } catch (err) {
    throw new Error(`${path.relative(ROOT, cwd) || '.'}: ${cmd} ${args.join(' ')} failed\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

/** The packed package, unpacked under `work`/package; returns that folder. */
function packAndUnpack(work = WORK) {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  fs.mkdirSync(work, { recursive: true });
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop();
  run('tar', ['-xzf', path.join(work, tarball)], work);
  return path.join(work, 'package');
}

/** node_modules for one example: the unpacked allspark plus links to everything else we have installed. */
function installInto(dir, unpacked) {
  const target = path.join(dir, 'node_modules');
  fs.mkdirSync(target, { recursive: true });
  for (const name of fs.readdirSync(MODULES)) {
    if (name === '.bin' || name === 'allspark' || name.startsWith('.')) continue;
    fs.symlinkSync(path.join(MODULES, name), path.join(target, name));
  }
  fs.symlinkSync(path.join(MODULES, '.bin'), path.join(target, '.bin'));
  fs.cpSync(unpacked, path.join(target, 'allspark'), { recursive: true });
}

function testExample(name, unpacked) {
  const from = path.join(ROOT, 'examples', name);
  const dir = path.join(WORK, name);
  fs.cpSync(from, dir, { recursive: true, filter: (src) => !/[\\/](node_modules|dist|browser)$/.test(src) });
  installInto(dir, unpacked);
  const bin = (tool) => path.join(dir, 'node_modules', '.bin', tool);
  run(bin('tsc'), ['-p', 'tsconfig.json'], dir);
  if (fs.existsSync(path.join(dir, 'build.js'))) run(process.execPath, ['build.js'], dir);
  const out = run(bin('jest'), ['--ci', '--colors=false'], dir);
  return out;
}

function main() {
  const names = process.argv.slice(2);
  const all = fs.readdirSync(path.join(ROOT, 'examples')).filter((n) => fs.existsSync(path.join(ROOT, 'examples', n, 'package.json')));
  fs.mkdirSync(WORK, { recursive: true });
  try {
    const unpacked = packAndUnpack();
    for (const name of names.length > 0 ? names : all) {
      testExample(name, unpacked);
      console.log(`examples/${name}: passed against the packed package`);
    }
  } finally {
    fs.rmSync(WORK, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(err.message);
    process.exitCode = 1;
  }
}

module.exports = { main, packAndUnpack, installInto };
