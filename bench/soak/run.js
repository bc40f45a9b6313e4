#!/usr/bin/env node
'use strict';
// `npm run soak`: hold many connections on loopback under a mixed workload
// (echo, broadcast, reconnect churn, slow consumers, resets) and check that
// memory stays flat, nothing errors and nothing leaks once all close.
//   node bench/soak/run.js                 10,000 connections, 10 minutes → bench/RESULTS.md, bench/soak.svg
//   node bench/soak/run.js --short         1,000 connections, 30 s (warm-up 15 s, faster churn), into a temp dir (what `npm test` runs)
//   --duration=S --connections=N --sample=S --warmup=S --out=DIR
// Server and load generator are separate children (bench/lib/child.js: fd
// limit raised to the hard limit, pinned to a core each when taskset works).
// Exit code 0 when the run passes.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { start, stopAll, killAllSync } = require('../lib/child');
const { writeSoakReport } = require('./report');

/** RSS may grow at most this much from the end of warm-up to the end of the run. */
const MAX_GROWTH = 0.05;
/**
 * The 30 s mode watches only 15 s: there RSS swings by a few MiB with the
 * allocator (seen: -17 % and +5.3 % between samples of one flat run), so the
 * leak check is the heap (≤ 5 %), with RSS held to a looser bound (≤ 10 %).
 */
const SHORT_RSS_GROWTH = 0.1;

function parseArgs(argv) {
  const opt = (name) => {
    const a = argv.find((x) => x.startsWith(`--${name}=`));
    return a && Number(a.slice(name.length + 3));
  };
  const short = argv.includes('--short');
  const duration = opt('duration') || (short ? 30 : 600);
  const outArg = argv.find((x) => x.startsWith('--out='));
  return {
    short,
    duration,
    connections: opt('connections') || (short ? 1000 : 10_000),
    sample: opt('sample') || (short ? 2 : 5),
    // Short runs: half the time to reach a steady state (churn at its rate, V8 settled), half to watch it.
    warmup: opt('warmup') || (short ? Math.round(duration / 2) : Math.max(10, Math.round(duration / 4))),
    /** How long churning and resetting clients stay connected (ms): short runs churn faster to reach steady state sooner. */
    lifetime: short ? [5000, 15_000] : [20_000, 60_000],
    out: outArg ? outArg.slice(6) : short ? path.join(os.tmpdir(), 'allspark-soak-short') : path.join(__dirname, '..'),
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Growth of `key` after warm-up: the mean of the last third of the samples
 * against the mean of the first third. Slow consumers fill and free their
 * buffers in cycles; means over thirds see a trend, not where a cycle was.
 */
function growth(samples, key, warmup) {
  const after = samples.filter((s) => s.t >= warmup).map((s) => s[key]);
  if (after.length < 6) return { from: NaN, to: NaN, ratio: NaN };
  const third = Math.floor(after.length / 3);
  const from = mean(after.slice(0, third));
  const to = mean(after.slice(-third));
  return { from, to, ratio: to / from - 1 };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dist = path.join(__dirname, '..', '..', 'dist', 'index.js');
  if (!fs.existsSync(dist)) throw new Error('dist/ is missing: run `npm run build` first');
  console.log(`soak: ${args.connections} connections for ${args.duration} s (warm-up ${args.warmup} s, a sample every ${args.sample} s)`);
  const server = await start(path.join(__dirname, 'server.js'), [], { core: 0, label: 'soak server', nodeArgs: ['--expose-gc'] });
  const load = await start(path.join(__dirname, 'load.js'), [], { core: 1, label: 'soak load' });
  const rampStart = Date.now();
  // Opening 10,000 sockets on a busy shared machine takes minutes (3 at ~55/s): allow 60 ms each, at least 2 minutes.
  const rampMs = Math.max(120_000, args.connections * 60);
  const ramp = await load.request('start', { port: server.info.port, connections: args.connections, lifetime: args.lifetime }, rampMs);
  const rampSeconds = (Date.now() - rampStart) / 1000;
  console.log(`soak: ${ramp.open} open after ${rampSeconds.toFixed(1)} s; the run starts now`);
  // Time (duration, warm-up, samples) counts from here, once everyone is connected.
  const t0 = Date.now();
  const samples = [];
  let shownErrors = 0;
  while (Date.now() - t0 < args.duration * 1000) {
    await sleep(args.sample * 1000);
    const figures = await server.request('sample');
    const gen = await load.request('stats');
    const sample = { t: (Date.now() - t0) / 1000, ...figures, clientErrors: gen.errors, clientsOpen: gen.open };
    samples.push(sample);
    // Say what went wrong as soon as it does: a long run should not hide it until the end.
    for (const what of gen.errorSamples.slice(shownErrors)) console.log(`soak: client error: ${what}`);
    shownErrors = gen.errorSamples.length;
    console.log(
      `soak: ${sample.t.toFixed(0).padStart(4)} s  RSS ${(sample.rss / 2 ** 20).toFixed(1)} MiB  heap ${(sample.heapUsed / 2 ** 20).toFixed(1)} MiB  ` +
        `loop p99 ${sample.delayP99.toFixed(1)} ms  sparks ${sample.connected}  clients open ${sample.clientsOpen}  errors ${sample.errors}/${sample.clientErrors}`,
    );
  }
  const clients = await load.request('stop', {}, 60_000);
  const end = await server.request('finish', {}, 60_000);
  const rss = growth(samples, 'rss', args.warmup);
  const heap = growth(samples, 'heapUsed', args.warmup);
  const checks = [
    ...(args.short
      ? [
          { what: `heap growth after warm-up ≤ ${MAX_GROWTH * 100} %`, pass: heap.ratio <= MAX_GROWTH, value: `${(heap.ratio * 100).toFixed(1)} %` },
          { what: `RSS growth after warm-up ≤ ${SHORT_RSS_GROWTH * 100} %`, pass: rss.ratio <= SHORT_RSS_GROWTH, value: `${(rss.ratio * 100).toFixed(1)} %` },
        ]
      : [{ what: `RSS growth after warm-up ≤ ${MAX_GROWTH * 100} %`, pass: rss.ratio <= MAX_GROWTH, value: `${(rss.ratio * 100).toFixed(1)} %` }]),
    { what: 'slow consumers closed at maxBuffered (the cap was exercised)', pass: end.slowClosed > 0, value: end.slowClosed },
    { what: 'server errors (other than slow consumers closed at the cap)', pass: end.errors === 0, value: end.errors },
    { what: 'client errors (lost echoes, unexpected closes, failed connects)', pass: clients.errors === 0, value: clients.errors },
    { what: 'connections table empty once every client left', pass: end.connectedAfterClients === 0, value: end.connectedAfterClients },
    { what: 'flood timers left', pass: end.floodsLeft === 0, value: end.floodsLeft },
    {
      what: 'handles, requests and timers left after close',
      pass: end.resourcesLeft.length === 0,
      value: end.resourcesLeft.length === 0 ? 'none' : end.resourcesLeft.join(', '),
    },
  ];
  const result = { args, rampSeconds, opened: ramp.open, date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, samples, rss, heap, clients, end, checks, pass: checks.every((c) => c.pass) };
  const written = writeSoakReport(result, args.out);
  for (const c of checks) console.log(`soak: ${c.pass ? 'pass' : 'FAIL'}  ${c.what}: ${c.value}`);
  if (end.errorSamples.length > 0) console.log('soak: server errors:\n  ' + end.errorSamples.join('\n  '));
  if (clients.errorSamples.length > 0) console.log('soak: client errors:\n  ' + clients.errorSamples.join('\n  '));
  console.log(`soak: ${result.pass ? 'PASS' : 'FAIL'} (${written.join(', ')})`);
  return result.pass;
}

process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
main()
  .then(async (pass) => {
    await stopAll();
    process.exit(pass ? 0 : 1);
  })
  .catch(async (err) => {
    console.error(err);
    await stopAll();
    process.exit(2);
  });
