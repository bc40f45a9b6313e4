#!/usr/bin/env node
'use strict';
/**
 * Builds the browser chunks the client library is assembled from, from the
 * same TypeScript as the Node client:
 *
 *   dist/browser/core.js                    client kernel + eventemitter3
 *   dist/browser/<folder>.js                one per folder with a `browser.ts` under
 *                                           transformers/ or plugins/ (two levels deep)
 *
 * Each chunk is a minified ES2017 IIFE that talks to the others only through
 * the `__allspark` variable the library's wrapper function declares (see
 * core/client/browser.ts), so chunks can be pasted one after the other.
 *
 * The build fails when a chunk would contain server-only code: zod,
 * tsyringe, reflect-metadata, ws or a Node built-in (checked on every
 * import while bundling, and once more on the output text).
 *
 * Usage: node scripts/build-browser.js   (part of `npm run build`)
 */
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');

const ROOT = path.resolve(__dirname, '..');
const OUTDIR = path.join(ROOT, 'dist', 'browser');
const TARGET = 'es2017';
/** The core chunk's entry; it lives with the plugin that assembles the library. */
const CORE_ENTRY = 'plugins/client-library/browser-core.ts';
/** Folders whose sub-folders may hold a `browser.ts` chunk entry. */
const PLUGIN_ROOTS = ['transformers', 'plugins'];

/** Packages that only make sense on the server. */
const FORBIDDEN_PACKAGES = ['zod', 'tsyringe', 'reflect-metadata', 'ws'];
const BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Matches an import of a forbidden package or a Node built-in (with or without `node:`). */
const FORBIDDEN_IMPORT = new RegExp(
  `^(?:node:.*|(?:${[...FORBIDDEN_PACKAGES, ...BUILTINS].map(escape).join('|')})(?:/.*)?)$`,
);

/** Text that must never appear in a browser chunk, with the reason reported. */
const FORBIDDEN_TEXT = [
  [/\brequire\s*\(/, 'calls require()'],
  [/["'`]node:/, 'names a node: module'],
  [/\bzod\b/, 'mentions zod'],
  [/tsyringe/, 'mentions tsyringe'],
  [/reflect-metadata|Reflect\.(?:getMetadata|defineMetadata|metadata)\b/, 'mentions reflect-metadata'],
  // core/optional.ts loads packages with Node's require; a chunk bundles its packages instead.
  [/needs the optional package/, 'contains requireOptional (Node only)'],
  // `ws` itself is caught at import time: the text "ws" is also a URL scheme.
];

/** The chunks to build: `{ name, entry }`, name = output path under dist/browser without `.js`. */
function discoverEntries(root = ROOT) {
  const entries = [{ name: 'core', entry: CORE_ENTRY }];
  for (const base of PLUGIN_ROOTS) {
    const dir = path.join(root, base);
    if (!fs.existsSync(dir)) continue;
    // A plugin folder, or a sub-folder of one when a plugin ships several chunks (one per codec, say).
    for (const folder of subfolders(dir)) {
      for (const name of [folder, ...subfolders(path.join(dir, folder)).map((sub) => `${folder}/${sub}`)]) {
        if (fs.existsSync(path.join(dir, name, 'browser.ts'))) {
          entries.push({ name: `${base}/${name}`, entry: `${base}/${name}/browser.ts` });
        }
      }
    }
  }
  return entries;
}

function subfolders(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'node_modules')
    .map((d) => d.name)
    .sort();
}

/** Problems found in a chunk's output text (empty when clean). */
function forbiddenText(text) {
  return FORBIDDEN_TEXT.filter(([pattern]) => pattern.test(text)).map(([, why]) => why);
}

/** A resolved file that belongs to a server-only package. */
const FORBIDDEN_PATH = new RegExp(`[\\/]node_modules[\\/](?:${FORBIDDEN_PACKAGES.map(escape).join('|')})[\\/]`);
const GUARD = Symbol('browser-guard');

/**
 * esbuild plugin: refuse server-only imports, naming the importing file.
 * A package may map a Node module to a browser shim in its `browser` field
 * (sockjs-client maps `events` and `crypto`); such an import resolves to
 * the shim and is fine, so the guard asks esbuild first and refuses only
 * what would really land in the chunk, or not resolve at all.
 */
const guard = {
  name: 'browser-guard',
  setup(build) {
    build.onResolve({ filter: FORBIDDEN_IMPORT }, async (args) => {
      if (args.pluginData === GUARD) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: GUARD,
      });
      const shim = resolved.errors.length === 0 && !resolved.external && resolved.path !== '' && resolved.path !== args.path;
      if (shim && !FORBIDDEN_PATH.test(resolved.path)) return resolved;
      const importer = path.relative(ROOT, args.importer) || args.importer;
      return { errors: [{ text: `"${args.path}" must not be in a browser chunk (imported by ${importer})` }] };
    });
  },
};

/**
 * esbuild plugin: bundle eventemitter3 (CommonJS, in the core chunk) as an
 * ES module. Its `index.mjs` only re-exports the CommonJS file, which costs
 * esbuild's CommonJS interop helpers (about 260 B gzipped); a local
 * `module` object around the same source exports the same class.
 */
const eventemitterAsEsm = {
  name: 'eventemitter3-as-esm',
  setup(build) {
    build.onResolve({ filter: /^eventemitter3$/ }, (args) => ({
      path: require.resolve('eventemitter3', { paths: [args.resolveDir] }),
      namespace: 'eventemitter3-esm',
    }));
    build.onLoad({ filter: /.*/, namespace: 'eventemitter3-esm' }, (args) => ({
      contents: `var module = { exports: {} };\n${fs.readFileSync(args.path, 'utf8')}\nexport default module.exports;\n`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

/**
 * Bundle one chunk in memory. `entry` is a path relative to `root`, or
 * `contents` gives the source directly (used by tests). Resolves to the code;
 * rejects with every problem found.
 */
async function bundle({ name, entry, contents }, root = ROOT) {
  const common = {
    bundle: true,
    minify: true,
    format: 'iife',
    target: TARGET,
    platform: 'browser',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    // Class fields as assignments in the constructor, not esbuild's defineProperty helper (ES2017
    // has no class fields): about 280 B gzipped over the library. It differs from the Node build
    // only where a field would shadow an accessor of a base class, and the client classes have none.
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    plugins: [guard, eventemitterAsEsm],
    absWorkingDir: root,
  };
  let result;
  try {
    result = await esbuild.build(
      contents !== undefined
        ? { ...common, stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: `${name}.ts` } }
        : { ...common, entryPoints: [path.join(root, entry)], outfile: `${name}.js` },
    );
  } catch (err) {
    const messages = (err.errors ?? []).map((e) => e.text + (e.location ? ` (${e.location.file}:${e.location.line})` : ''));
    throw new Error(`browser chunk "${name}": ${messages.length > 0 ? messages.join('; ') : err.message}`);
  }
  const code = result.outputFiles[0].text;
  const problems = forbiddenText(code);
  if (problems.length > 0) throw new Error(`browser chunk "${name}" ${problems.join(', ')}`);
  return code;
}

/** Write `text` so that a concurrent reader sees the old file or the new one, never half of one. */
function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * Build every chunk into `outdir`. Resolves to `[{ name, file, bytes }]`;
 * rejects (writing nothing) if any chunk fails or contains server-only code.
 */
async function buildBrowser({ root = ROOT, outdir = OUTDIR, entries = discoverEntries(root) } = {}) {
  const settled = await Promise.allSettled(entries.map((e) => bundle(e, root)));
  const failures = settled.filter((s) => s.status === 'rejected').map((s) => s.reason.message);
  if (failures.length > 0) throw new Error(`Browser build failed:\n  ${failures.join('\n  ')}`);
  return entries.map((e, i) => {
    const file = path.join(outdir, `${e.name}.js`);
    const code = settled[i].value;
    writeAtomic(file, code);
    return { name: e.name, file, bytes: Buffer.byteLength(code) };
  });
}

module.exports = { buildBrowser, bundle, discoverEntries, forbiddenText, FORBIDDEN_PACKAGES, OUTDIR, TARGET };

if (require.main === module) {
  buildBrowser().then(
    (chunks) => {
      for (const c of chunks) console.log(`dist/browser/${c.name}.js  ${c.bytes} bytes`);
    },
    (err) => {
      console.error(err.message);
      process.exitCode = 1;
    },
  );
}
