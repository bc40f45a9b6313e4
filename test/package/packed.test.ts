/**
 * The package as users get it: `npm pack`, installed into an empty folder
 * with `--omit=dev` (so none of the optional transports and parsers is
 * there), then used from CommonJS, from an ES module and from TypeScript.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, packAndInstall, runInApp, type PackedApp } from '../helpers/packed';

const run = promisify(execFile);
// Each case starts a node process: on a busy shared machine that alone can take seconds.
jest.setTimeout(60_000);
const OPTIONAL = ['sockjs', 'sockjs-client', 'engine.io', 'engine.io-client', 'faye-websocket', 'msgpackr', 'ejson', 'binary-pack', 'reflect-metadata', 'tsyringe', 'ioredis'];

let app: PackedApp;
beforeAll(async () => {
  app = await packAndInstall();
}, 180_000);
afterAll(() => {
  if (app) rmSync(dirname(app.dir), { recursive: true, force: true });
});

/** A websockets + JSON server and a Node client echoing one message; prints what it saw as JSON. */
const ECHO_CJS = `
const http = require('node:http');
const Primus = require('allspark');
const out = { isClass: typeof Primus === 'function' && Primus.Primus === Primus && Primus.default === Primus };
const server = http.createServer();
const primus = new Primus(server, { transformer: 'websockets', parser: 'json' });
// The browser library is assembled from the chunks prebuilt in dist/browser/.
out.library = primus.library().length > 10000;
primus.on('connection', (spark) => spark.on('data', (data) => spark.write({ echo: data })));
server.listen(0, '127.0.0.1', () => {
  const client = new primus.Socket('http://127.0.0.1:' + server.address().port);
  client.on('data', (data) => {
    out.echo = data;
    client.end();
    primus.destroy({ close: true }, () => console.log(JSON.stringify(out)));
  });
  client.write({ hello: 'cjs' });
});
`;

const ECHO_ESM = `
import { createServer } from 'node:http';
import Primus, { createKernel, websockets, jsonParserPlugin, clientFor, AllsparkError } from 'allspark';
import cjs from 'allspark';
const kernel = createKernel().use(websockets).use(jsonParserPlugin);
kernel.on('connection', (spark) => spark.on('data', (data) => spark.write({ echo: data })));
const server = createServer();
kernel.attach(server);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const Socket = clientFor(kernel);
const client = new Socket('http://127.0.0.1:' + server.address().port);
const echo = await new Promise((resolve) => {
  client.on('data', resolve);
  client.write({ hello: 'esm' });
});
client.end();
await kernel.close();
server.close();
const require = (await import('node:module')).createRequire(import.meta.url);
console.log(JSON.stringify({
  echo,
  defaultIsClass: Primus === cjs && typeof Primus === 'function' && Primus === require('allspark'),
  sameErrorClass: AllsparkError === require('allspark').AllsparkError,
}));
`;

describe('the packed tarball, installed with --omit=dev', () => {
  it('installs allspark and its dependencies only: no optional package, nothing from devDependencies', async () => {
    const found = await runInApp(
      app,
      'resolve.js',
      `const ok = (n) => { try { require.resolve(n); return true; } catch { return false; } };
       console.log(JSON.stringify(${JSON.stringify(OPTIONAL)}.filter(ok).concat(['typescript', '@types/node', 'esbuild'].filter(ok))));`,
    );
    expect(found).toEqual([]);
  });

  it('runs a websockets + JSON server and client from CommonJS; require("allspark") is the Primus class', async () => {
    expect(await runInApp(app, 'echo.cjs', ECHO_CJS)).toEqual({ isClass: true, library: true, echo: { echo: { hello: 'cjs' } } });
  });

  it('runs a kernel server and client from a native ES module, sharing classes with require()', async () => {
    expect(await runInApp(app, 'echo.mjs', ECHO_ESM)).toEqual({
      echo: { echo: { hello: 'esm' } },
      defaultIsClass: true,
      sameErrorClass: true,
    });
  });
});

/** Each optional package, and code that needs it: it must fail at construction with ALLSPARK_DEPENDENCY. */
const NEEDS: Array<[string, string]> = [
  ['sockjs', "new Primus(require('node:http').createServer(), { transformer: 'sockjs' })"],
  ['sockjs-client', "new (Primus.createSocket({ transformer: 'sockjs' }))('http://127.0.0.1:1', { manual: true })"],
  ['engine.io', "new Primus(require('node:http').createServer(), { transformer: 'engine.io' })"],
  ['engine.io-client', "new (Primus.createSocket({ transformer: 'engine.io' }))('http://127.0.0.1:1', { manual: true })"],
  ['faye-websocket', "Primus.createKernel().use(Primus.faye)"],
  ['msgpackr', "Primus.createKernel().use(Primus.websockets).use(Primus.msgpackParser)"],
  ['msgpackr', "new (Primus.createSocket({ parser: 'msgpack' }))('http://127.0.0.1:1', { manual: true })"],
  ['ejson', "new Primus(require('node:http').createServer(), { parser: 'ejson' })"],
  ['reflect-metadata', 'Primus.createKernel().registry.container'],
  ['ioredis', "new Primus(require('node:http').createServer(), { cluster: { redis: 'redis://127.0.0.1:1' } })"],
];

/** Run `code` in the app; what it threw, as JSON. */
function missing(code: string): Promise<unknown> {
  return runInApp(
    app,
    'missing.js',
    `const Primus = require('allspark');
     try { ${code}; console.log(JSON.stringify({ threw: false })); }
     catch (err) {
       console.log(JSON.stringify({ name: err.name, code: err.code, packageName: err.packageName, allspark: err instanceof Primus.AllsparkError,
         message: err.message, stack: String(err.stack).includes('Require stack') }));
     }`,
  );
}

const missingError = (pkg: string) => ({
  name: 'MissingPackageError',
  code: 'ALLSPARK_DEPENDENCY',
  packageName: pkg,
  allspark: true,
  message: expect.stringContaining(`needs the optional package "${pkg}", which is not installed: run \`npm install ${pkg}\``),
  stack: false,
});

describe('an optional package that is not installed', () => {
  it.each(NEEDS)('%s: %s throws ALLSPARK_DEPENDENCY with the install command', async (pkg, code) => {
    expect(await missing(code)).toEqual(missingError(pkg));
  });

  it('tsyringe: with reflect-metadata there, the container still names tsyringe', async () => {
    // A stand-in reflect-metadata (the container loads it before tsyringe), removed again after.
    const stub = join(app.dir, 'node_modules', 'reflect-metadata');
    mkdirSync(stub);
    try {
      writeFileSync(join(stub, 'package.json'), JSON.stringify({ name: 'reflect-metadata', version: '0.0.0', main: 'index.js' }));
      writeFileSync(join(stub, 'index.js'), '');
      expect(await missing('Primus.createKernel().registry.container')).toEqual(missingError('tsyringe'));
    } finally {
      rmSync(stub, { recursive: true, force: true });
    }
  });

  it('binary-pack is never needed: the binary parser is built in', async () => {
    const seen = await runInApp(
      app,
      'binary.js',
      `const Primus = require('allspark');
       const primus = new Primus(require('node:http').createServer(), { parser: 'binary' });
       console.log(JSON.stringify({ parser: primus.parser.name }));
       primus.destroy();`,
    );
    expect(seen).toEqual({ parser: 'binary' });
  });
});

const TSC_MS = 280_000;

describe('TypeScript against the packed typings', () => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const SOURCE = `
import Primus, { createKernel, websockets, jsonParserPlugin, AllsparkError, ErrorCodes, type InjectionContainer, type Spark } from 'allspark';
import type { Server } from 'node:http';
const kernel = createKernel({ pathname: '/rt' }).use(websockets).use(jsonParserPlugin);
// The container's type is allspark's own: it compiles without tsyringe installed.
export const injector = (): InjectionContainer => kernel.registry.container;
kernel.on('connection', (spark: Spark) => spark.write({ hi: 1 }));
declare const server: Server;
const primus: Primus = new Primus(server, { transformer: 'websockets' });
const code: string = ErrorCodes.DEPENDENCY;
const isError: boolean = new AllsparkError(ErrorCodes.STATE, 'x') instanceof Error;
export { primus, code, isError };
`;

  /**
   * Typecheck SOURCE as each of `files` in one tsc run (strict, skipLibCheck
   * off, with the repository's @types/node); resolves to tsc's errors and
   * the typings file each of `files` got for 'allspark'.
   */
  async function typecheck(name: string, files: string[], options: Record<string, unknown>): Promise<{ errors: string; typings: Record<string, string> }> {
    for (const file of files) writeFileSync(join(app.dir, file), SOURCE);
    const compilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      target: 'ES2022',
      lib: ['ES2022'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      types: ['node'],
      ...options,
    };
    writeFileSync(join(app.dir, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files }));
    let stdout: string;
    try {
      // Generous: on a shared 2-core machine one tsc run with @types/node has taken over 90 s.
      ({ stdout } = await run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`, '--explainFiles'], { cwd: app.dir, timeout: TSC_MS, maxBuffer: 64 << 20 }));
    } catch (err) {
      const failed = err as { stdout?: string; killed?: boolean; signal?: string };
      // tsc exits non-zero on type errors (listed below); a kill or timeout is a failure of its own.
      if (failed.killed || failed.signal) return { errors: `tsc did not finish (${failed.signal ?? 'killed'})`, typings: {} };
      stdout = String(failed.stdout ?? err);
    }
    const typings: Record<string, string> = {};
    // --explainFiles: "Imported via 'allspark' from file 'esm.mts' with packageId 'allspark/dist/index.d.mts@0.1.0'"
    for (const [, file, typing] of stdout.matchAll(/Imported via 'allspark' from file '([^']+)' with packageId 'allspark\/([^@']+)@/g)) {
      typings[file] = typing;
    }
    return { errors: stdout.split('\n').filter((line) => line.includes('error TS')).join('\n'), typings };
  }

  // Both runs start together: two tsc processes use both cores.
  let runs: Record<'node16' | 'bundler', ReturnType<typeof typecheck>> | undefined;
  const started = () =>
    (runs ??= {
      node16: typecheck('node16', ['esm.mts', 'cjs.cts'], { module: 'node16', moduleResolution: 'node16' }),
      bundler: typecheck('bundler', ['app.ts'], { module: 'esnext', moduleResolution: 'bundler' }),
    });
  afterAll(() => runs && Promise.allSettled(Object.values(runs)));

  it('moduleResolution node16: an ES module gets dist/index.d.mts, a CommonJS module dist/index.d.ts', async () => {
    expect(await started().node16).toEqual({
      errors: '',
      typings: { 'esm.mts': 'dist/index.d.mts', 'cjs.cts': 'dist/index.d.ts' },
    });
  }, TSC_MS + 20_000);

  it('moduleResolution bundler: dist/index.d.mts', async () => {
    expect(await started().bundler).toEqual({
      errors: '',
      typings: { 'app.ts': 'dist/index.d.mts' },
    });
  }, TSC_MS + 20_000);
});
