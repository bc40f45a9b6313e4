#!/usr/bin/env node
'use strict';
/**
 * Two builds' room writes side by side, without the network: the room
 * write (`rooms` × `members` sparks, one write to every room) and the plain
 * broadcast (the same deliveries) of no-network.js, through a kernel of
 * each build in ONE process, in alternating batches, so load on a shared
 * machine falls on both alike. Separate processes are not comparable there:
 * the same build measures ±50 % from one minute to the next.
 *
 * The kernel made second runs a few % slower than the first (memory
 * layout), so the comparison runs twice in child processes, A made first
 * then B made first, and the position bias cancels out of the geometric
 * mean of the two paired ratios.
 *
 * Usage: node bench/rooms/ab.js <distA> <distB> [--batches=N] [--rooms=N] [--members=N]
 *   e.g. main built into /tmp/main (tsc -p tsconfig.build.json there) against ./dist.
 */
const path = require('path');
const { execFileSync } = require('child_process');
const { median } = require('../lib/stats');
const { arg, PAYLOAD, cpuNs, sparkOf, benchKernel, alternateBatches } = require('./no-network-kit');

const BATCHES = arg('batches', 60);
const ROOMS = arg('rooms', 1000);
const MEMBERS = arg('members', 10);
const [distA, distB] = process.argv.slice(2).filter((x) => !x.startsWith('--'));

/** A kernel of build `dist` with ROOMS × MEMBERS sparks over a transport that only counts; its two kinds of write. */
async function setup(dist) {
  const a = require(path.resolve(dist));
  const kernel = benchKernel(a);
  const counter = { sent: 0 };
  const sparks = [];
  for (let i = 0; i < ROOMS * MEMBERS; i++) sparks.push(sparkOf(kernel, 's' + i, counter));
  await new Promise((resolve) => setImmediate(resolve));
  const rooms = a.roomsOf(kernel);
  sparks.forEach((spark, i) => spark.join('r' + Math.floor(i / MEMBERS)));
  const names = Array.from({ length: ROOMS }, (_, r) => 'r' + r);
  const per = (fn) => () => {
    const before = cpuNs();
    fn();
    return (cpuNs() - before) / (ROOMS * MEMBERS);
  };
  return {
    kernel,
    room: per(() => {
      for (let r = 0; r < ROOMS; r++) rooms.room(names[r]).write(PAYLOAD);
    }),
    plain: per(() => kernel.write(PAYLOAD)),
  };
}

/** Child: `first` made first; paired ratios second / first over alternating batches, as JSON. */
async function child(first, second) {
  const builds = [await setup(first), await setup(second)];
  const ns = alternateBatches(Object.fromEntries(builds.flatMap((b, i) => [[`room${i}`, b.room], [`plain${i}`, b.plain]])), BATCHES);
  const paired = (f) => median(ns.room0.map((_, i) => f(1, i) / f(0, i)));
  const out = {
    room: [median(ns.room0), median(ns.room1)],
    plain: [median(ns.plain0), median(ns.plain1)],
    roomRatio: paired((b, i) => ns[`room${b}`][i]),
    excessRatio: paired((b, i) => ns[`room${b}`][i] - ns[`plain${b}`][i]),
  };
  for (const b of builds) await b.kernel.close();
  process.stdout.write(JSON.stringify(out));
}

function runChild(first, second) {
  return JSON.parse(execFileSync(process.execPath, [__filename, '--child', first, second, ...process.argv.filter((x) => x.startsWith('--') && x !== '--child')], { encoding: 'utf8' }));
}

function main() {
  if (!distA || !distB) throw new Error('usage: node bench/rooms/ab.js <distA> <distB> [--batches=N]');
  const aFirst = runChild(distA, distB);
  const bFirst = runChild(distB, distA);
  // aFirst ratios are B/A × bias, bFirst ratios A/B × bias: B/A = sqrt(aFirst / bFirst).
  const combined = (key) => Math.sqrt(aFirst[key] / bFirst[key]);
  const ns = (pair) => pair.map((v) => v.toFixed(0)).join(' / ');
  console.log(`room writes (${ROOMS} rooms × ${MEMBERS}) and plain broadcasts, no network, ${BATCHES} alternating batches per order:`);
  console.log(`  A made first: room ${ns(aFirst.room)} ns, plain ${ns(aFirst.plain)} ns per delivery (A / B); B/A paired: room ${aFirst.roomRatio.toFixed(3)}, room − plain ${aFirst.excessRatio.toFixed(3)}`);
  console.log(`  B made first: room ${ns(bFirst.room)} ns, plain ${ns(bFirst.plain)} ns per delivery (B / A); A/B paired: room ${bFirst.roomRatio.toFixed(3)}, room − plain ${bFirst.excessRatio.toFixed(3)}`);
  console.log(`  B / A, order bias cancelled: room write ${combined('roomRatio').toFixed(3)}×, its cost beyond the plain broadcast ${combined('excessRatio').toFixed(3)}×`);
}

if (process.argv[2] === '--child') {
  child(process.argv[3], process.argv[4]).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  main();
}
