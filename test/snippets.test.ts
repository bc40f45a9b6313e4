/**
 * Every ts/js block of README.md, docs/*.md and the examples' READMEs is
 * checked, so the docs cannot rot: `ts` blocks compile under `strict`
 * against the built package (`dist/*.d.ts`, as a user installs it), `js`
 * blocks parse, blocks marked `<!-- snippet: run -->` also run with node.
 * See test/helpers/snippets.ts for the markers.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';
import { markdownFiles, relativeLinks, snippetsOf, type Snippet } from './helpers/snippets';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
/** Inside the repository (git-ignored `tmp/`), so node resolves zod and `allspark` (self-reference) from it. */
const WORK = join(ROOT, 'tmp', `snippets-${process.pid}`);

const all: Snippet[] = markdownFiles(ROOT).flatMap((file) => snippetsOf(file, ROOT));
const fileOf = (s: Snippet, ext = s.lang): string => join(WORK, `${s.where.replace(/[^\w]+/g, '_')}.${ext}`);

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
  skipLibCheck: true,
  types: ['node'],
  typeRoots: [join(ROOT, 'node_modules', '@types')],
  baseUrl: ROOT,
  paths: {
    allspark: [join(DIST, 'index.d.ts')],
    'allspark/testing': [join(DIST, 'testing', 'index.d.ts')],
  },
};

/** A block as a module file: blocks without import/export get `export {}` so their names stay their own. */
function moduleSource(s: Snippet): string {
  return /^\s*(import|export)\s/m.test(s.code) ? s.code : `${s.code}\nexport {};\n`;
}

function format(d: ts.Diagnostic, files: Map<string, Snippet>): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return text;
  const snippet = files.get(d.file.fileName);
  const { line } = d.file.getLineAndCharacterOfPosition(d.start);
  // +1 for the fence line above the block's first line.
  const where = snippet ? snippet.where.replace(/:(\d+)$/, (_m, n: string) => `:${Number(n) + line + 1}`) : d.file.fileName;
  return `${where}: TS${d.code} ${text}`;
}

beforeAll(() => {
  if (!existsSync(join(DIST, 'index.d.ts'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  mkdirSync(WORK, { recursive: true });
});
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('documentation code blocks', () => {
  test('the docs have blocks to check, and markers are honoured', () => {
    expect(all.filter((s) => s.mode === 'check').length).toBeGreaterThan(3);
    expect(all.filter((s) => s.mode === 'skip').length).toBeGreaterThan(1);
  });

  // zod 3 is what this repository installs; a user who runs `npm install zod` today gets zod 4, whose
  // API the installed zod 3.25 also ships as `zod/v4`: mapping `zod` there compiles the blocks as that user would.
  test.each([
    ['zod 3', {}],
    ['zod 4', { zod: [join(ROOT, 'node_modules', 'zod', 'v4', 'index.d.cts')] }],
  ])('every ts block compiles under strict against the built package, with %s as `zod`', (_zod, zodPaths) => {
    const files = new Map<string, Snippet>();
    for (const s of all.filter((x) => x.lang === 'ts' && x.mode !== 'skip')) {
      const file = fileOf(s);
      writeFileSync(file, moduleSource(s));
      files.set(file, s);
    }
    const options = { ...COMPILER_OPTIONS, paths: { ...COMPILER_OPTIONS.paths, ...zodPaths } };
    const program = ts.createProgram([...files.keys()], options);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => format(d, files));
    expect(problems).toEqual([]);
  }, 60_000);

  test('every js block parses', () => {
    const problems: string[] = [];
    for (const s of all.filter((x) => x.lang === 'js' && x.mode !== 'skip')) {
      const out = ts.transpileModule(s.code, { reportDiagnostics: true, fileName: 'snippet.js', compilerOptions: { allowJs: true } });
      for (const d of out.diagnostics ?? []) problems.push(`${s.where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
    expect(problems).toEqual([]);
  });

  const runnable = all.filter((s) => s.mode === 'run');
  (runnable.length > 0 ? test.each(runnable.map((s) => [s.where, s] as const)) : test.skip.each([['(none)', null]]))(
    '%s runs and exits 0',
    async (_where, s) => {
      const snippet = s as Snippet;
      const js = ts.transpileModule(moduleSource(snippet), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      }).outputText;
      const file = fileOf(snippet, 'js');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, js);
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        execFile(process.execPath, [file], { cwd: WORK, timeout: 30_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
        );
      });
      expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    },
    40_000,
  );

  test('relative links point at files that exist and that the package ships', () => {
    const pkg = require(join(ROOT, 'package.json')) as { files: string[] };
    const broken: string[] = [];
    const unshipped = new Set<string>();
    for (const file of markdownFiles(ROOT)) {
      for (const link of relativeLinks(file)) {
        const target = join(dirname(file), link);
        if (!existsSync(target)) broken.push(`${relative(ROOT, file)} → ${link}`);
        const top = relative(ROOT, target).split(sep)[0];
        if (top !== 'README.md' && !pkg.files.includes(top)) unshipped.add(top);
      }
    }
    expect(broken).toEqual([]);
    // The benchmark's reports stay in the repository (the package would grow by its figures): the README's
    // Speed section links them, and those links work on the repository's page only.
    expect([...unshipped]).toEqual(['bench']);
  });
});
