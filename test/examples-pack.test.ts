/**
 * The quick check of the packed package (`npm run test:examples` runs the
 * examples' own test suites against it): the tarball carries the subpath
 * entries and the docs, and a project that installed it can load
 * `allspark`, `allspark/testing`, `allspark/build` and `allspark/browser`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { packAndUnpack, installInto } = require('../scripts/test-examples.js') as {
  packAndUnpack(work: string): string;
  installInto(dir: string, unpacked: string): void;
};

const ROOT = join(__dirname, '..');
const WORK = join(ROOT, 'tmp', `pack-${process.pid}`);

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

test('the packed package carries its subpaths and docs, and they load in a project', () => {
  const unpacked = packAndUnpack(WORK);
  for (const file of ['dist/index.js', 'dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/build/index.js', 'dist/core/client/browser.js', 'docs/plugins.md', 'README.md', 'examples/typing-indicator/src/index.ts']) {
    expect([file, existsSync(join(unpacked, file))]).toEqual([file, true]);
  }
  const project = join(WORK, 'project');
  mkdirSync(project, { recursive: true });
  installInto(project, unpacked);
  writeFileSync(
    join(project, 'probe.js'),
    [
      "const a = require('allspark');",
      "const t = require('allspark/testing');",
      "const b = require('allspark/build');",
      "const r = require('allspark/browser');",
      'console.log([typeof a.createKernel, typeof t.startTestKernel, typeof b.buildClientHalf, typeof r.registerHalf, a.VERSION].join(" "));',
    ].join('\n'),
  );
  const out = execFileSync(process.execPath, ['probe.js'], { cwd: project, encoding: 'utf8' }).trim();
  expect(out).toBe(`function function function function ${require('../package.json').version}`);
});
