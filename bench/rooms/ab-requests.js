#!/usr/bin/env node
'use strict';
/**
 * Two builds' request and echo paths side by side, without the network: a
 * spark of each build's bench kernel (websockets, JSON, rooms, events) fed
 * the same frames, a `sum` request in primus-emitter's envelope and a plain
 * echoed object, in alternating batches in ONE process (separate processes
 * are not comparable on a shared machine). Prints the medians, ns per message.
 *
 * Usage: node bench/rooms/ab-requests.js <distA> <distB> [--batches=N] [--batch=N]
 */
const path = require('path');
const { median } = require('../lib/stats');
const { arg, sparkOf, benchKernel, alternateBatches } = require('./no-network-kit');

const BATCHES = arg('batches', 40);
const BATCH = arg('batch', 20000);
const dists = process.argv.slice(2).filter((x) => !x.startsWith('--')).map((d) => path.resolve(d));

/** The spark of `dist`'s kernel, answering `sum` and echoing `data`. */
function sparkOfBuild(dist) {
  const kernel = benchKernel(require(dist));
  const spark = sparkOf(kernel, 'ab', { sent: 0 });
  spark.on('data', (d) => spark.write(d));
  spark.on('sum', (p) => p.a + p.b);
  return { kernel, spark };
}

async function main() {
  if (dists.length !== 2) throw new Error('usage: ab-requests.js <distA> <distB>');
  const echo = Array.from({ length: BATCH }, (_, i) => `{"a":1,"b":${i}}`);
  const request = Array.from({ length: BATCH }, (_, i) => `{"type":0,"data":["sum",{"a":1,"b":2}],"id":${i + 1}}`);
  const kinds = {};
  const built = dists.map(sparkOfBuild);
  // Connection hooks settle on the next turn.
  await new Promise((resolve) => setImmediate(resolve));
  built.forEach(({ spark }, i) => {
    for (const [name, frames] of [['echo', echo], ['request', request]]) {
      kinds[`${String.fromCharCode(65 + i)} ${name}`] = () => {
        const start = process.hrtime.bigint();
        for (let n = 0; n < frames.length; n++) spark.receive(frames[n]);
        return Number(process.hrtime.bigint() - start) / frames.length;
      };
    }
  });
  const ns = alternateBatches(kinds, BATCHES);
  dists.forEach((d, i) => console.log(`${String.fromCharCode(65 + i)}: ${d}`));
  for (const name of Object.keys(kinds)) console.log(`  ${name.padEnd(10)} ${median(ns[name]).toFixed(0)} ns per message`);
  await Promise.all(built.map(({ kernel }) => kernel.close()));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
