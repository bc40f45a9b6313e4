#!/usr/bin/env node
'use strict';
/**
 * Size of the browser library, allspark next to Primus 8, for the same
 * setup: websockets + json, with heartbeat and reconnect (built into
 * Primus's client, plugins in ours). Both libraries go through the same
 * esbuild minification and then gzip -9, so the comparison is fair.
 *
 * The allspark library must stay at or under LIBRARY_CEILING bytes
 * (min+gzip); test/client-library.test.ts fails above it.
 *
 * Usage: npm run build && node scripts/library-size.js
 */
const { createServer } = require('node:http');
const { gzipSync, constants } = require('node:zlib');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const esbuild = require('esbuild');

/** Bytes (min+gzip) the reference library may not exceed: its size when issue 9 set the bound. */
const LIBRARY_CEILING = 8283;
/** The prebuilt chunks the reference library is assembled from, in library order. */
const REFERENCE_CHUNKS = ['core', 'transformers/websockets', 'plugins/json-parser', 'plugins/heartbeat', 'plugins/reconnect', 'plugins/offline'];

/** Bytes of `code` as served, minified by esbuild, and minified + gzip -9. */
function sizeOf(code) {
  const minified = esbuild.transformSync(code, { minify: true, loader: 'js', legalComments: 'none' }).code;
  return {
    raw: Buffer.byteLength(code),
    minified: Buffer.byteLength(minified),
    gzip: gzipSync(minified, { level: constants.Z_BEST_COMPRESSION }).length,
  };
}

/** The library a server class (Primus 8's or our facade) generates for websockets + json. */
function libraryOf(PrimusClass) {
  const server = createServer();
  const primus = new PrimusClass(server, { transformer: 'websockets', parser: 'json', pingInterval: 30000 });
  const library = primus.library();
  primus.destroy({ close: false });
  return library;
}

/**
 * What one kernel plugin adds to the reference library, in the same
 * measure (`use(primus)` adds it to the facade's kernel, e.g.
 * `(p) => p.kernel.use(events)`).
 */
function pluginCost(PrimusClass, use) {
  const base = sizeOf(libraryOf(PrimusClass));
  const server = createServer();
  const primus = new PrimusClass(server, { transformer: 'websockets', parser: 'json', pingInterval: 30000 });
  use(primus);
  const withPlugin = sizeOf(primus.library());
  primus.destroy({ close: false });
  return { minified: withPlugin.minified - base.minified, gzip: withPlugin.gzip - base.gzip };
}

/** Primus 8's `library()` for the reference setup. */
function primusLibrary() {
  return libraryOf(require('primus'));
}

/** Each reference chunk of `dist/browser` measured alone: `[{ name, raw, minified, gzip }]`. */
function chunkSizes(dir = join(__dirname, '..', 'dist', 'browser')) {
  return REFERENCE_CHUNKS.map((name) => ({ name, ...sizeOf(readFileSync(join(dir, `${name}.js`), 'utf8')) }));
}

module.exports = { sizeOf, libraryOf, primusLibrary, pluginCost, chunkSizes, LIBRARY_CEILING, REFERENCE_CHUNKS };

if (require.main === module) {
  const { Primus } = require('../dist/index.js');
  const rows = [
    ['allspark', sizeOf(libraryOf(Primus))],
    ['primus 8.0.9', sizeOf(primusLibrary())],
  ];
  console.log('websockets + json + heartbeat + reconnect (bytes)');
  console.log('library        served   minified  min+gzip');
  for (const [name, s] of rows) {
    console.log(`${name.padEnd(14)} ${String(s.raw).padStart(7)} ${String(s.minified).padStart(10)} ${String(s.gzip).padStart(9)}`);
  }
  const ratio = rows[0][1].gzip / rows[1][1].gzip;
  console.log(`allspark is ${(ratio * 100).toFixed(0)}% of Primus's size (min+gzip); ceiling ${LIBRARY_CEILING}`);
  console.log('\nallspark chunks, each alone                        minified  min+gzip');
  for (const c of chunkSizes()) {
    console.log(`${c.name.padEnd(48)} ${String(c.minified).padStart(9)} ${String(c.gzip).padStart(9)}`);
  }
  const { events, rooms } = require('../dist/index.js');
  console.log('\nclient halves of optional plugins (bytes added)   minified  min+gzip');
  for (const [name, plugin] of [['events (typed events, acks)', events], ['rooms (server only)', rooms]]) {
    const cost = pluginCost(Primus, (p) => p.kernel.use(plugin));
    console.log(`${name.padEnd(48)} ${String(cost.minified).padStart(9)} ${String(cost.gzip).padStart(9)}`);
  }
}
