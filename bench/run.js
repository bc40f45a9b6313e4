#!/usr/bin/env node
'use strict';
// Entry point of `npm run bench` (after `npm run build`).
//   node bench/run.js                 full run (3 rounds, about 7 min with the Redis systems) → bench/results.json, RESULTS.md, results.svg
//   node bench/run.js --quick         one small round (< 1 min), written to a temp dir unless --out is given
//   --rounds=N --only=echo,latency,cluster --systems=ws,allspark-kernel --out=DIR --payload=small|medium
// Systems run interleaved (every workload visits every system each round,
// in a rotated order), and every child process is killed at the end.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { start, startGenerator, stopAll, killAllSync, hasTaskset } = require('./lib/child');
const config = require('./config');
const net = require('./workloads/net');
const local = require('./workloads/local');
const { install } = require('./workloads/install');
const { clusterBroadcast } = require('./workloads/cluster');
const { startRedis } = require('./lib/redis');
const { writeReport } = require('./report');
const { waitQuiet } = require('./lib/sysload');

const DIST = path.join(__dirname, '..', 'dist');

function parseArgs(argv) {
  const opt = (name) => {
    const a = argv.find((x) => x.startsWith(`--${name}=`));
    return a && a.slice(name.length + 3);
  };
  const quick = argv.includes('--quick');
  const list = (name) => (opt(name) ? opt(name).split(',') : null);
  return {
    quick,
    rounds: Number(opt('rounds')) || (quick ? config.quick : config.full).rounds,
    only: list('only'),
    systems: list('systems'),
    out: opt('out') || (quick ? path.join(os.tmpdir(), 'allspark-bench-quick') : __dirname),
    payload: opt('payload') || 'small',
  };
}

/** Drop systems whose build output is missing, saying why. */
function availability() {
  if (!fs.existsSync(path.join(DIST, 'core', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const skipped = [];
  const missing = new Set();
  if (!fs.existsSync(path.join(DIST, 'index.js'))) {
    missing.add('allspark-facade');
    skipped.push('allspark-facade (dist/index.js, the Primus facade, is not built)');
  }
  if (!fs.existsSync(path.join(DIST, 'plugins', 'binary-parser', 'index.js'))) {
    config.BINARY.forEach((s) => missing.add(s));
    skipped.push('binary parsers (dist/plugins/binary-parser is not built)');
  }
  if (!process.env.BENCH_REDIS) {
    [...config.CLUSTER, ...config.CLUSTER_ECHO, ...config.CONTINUITY_REDIS].forEach((s) => missing.add(s));
    skipped.push('cluster figures (redis-server is not installed)');
  }
  return { missing, skipped };
}

function plan(args, missing) {
  const keep = (list) => list.filter((s) => !missing.has(s) && (!args.systems || args.systems.includes(s)));
  const all = [
    [net.echo, keep([...config.SYSTEMS, ...config.BINARY, ...config.CLUSTER_ECHO, ...config.CONTINUITY, ...config.CONTINUITY_REDIS])],
    [net.latency, keep(config.SYSTEMS)],
    [net.broadcast, keep([...config.SYSTEMS, ...config.CONTINUITY, ...config.CONTINUITY_REDIS])],
    [net.memory, keep([...config.SYSTEMS, ...config.CONTINUITY, ...config.CONTINUITY_REDIS])],
    [local.footprint, keep(config.FOOTPRINT)],
    [local.codec, ['-']],
    [local.overhead, ['allspark-kernel']],
    [install, install.systems.filter((s) => !args.systems || args.systems.includes(s))],
    [clusterBroadcast, keep(config.CLUSTER)],
  ];
  return all.filter(([w, systems]) => systems.length && (!args.only || args.only.includes(w.name)));
}

const brief = (r) =>
  r.error
    ? `ERROR ${r.error.split('\n')[0]}`
    : Object.entries(r)
        .filter(([, v]) => typeof v === 'number')
        .map(([k, v]) => `${k}=${v >= 100 ? Math.round(v) : v.toFixed(3)}`)
        .join(' ');

/** One measurement: wait (bounded) for a quiet machine, then run; errors become `{ error }`. */
async function measure(ctx, workload, system, sizes, budget, startGen) {
  if (ctx.gen.exited) ctx.gen = await startGen(); // a crashed generator must not sink the rest
  if (budget.quiet > 0) {
    const q = await waitQuiet(Math.min(sizes.quietMs, budget.quiet));
    budget.quiet -= q.waited;
    if (q.load >= 40) console.error(`  (other processes busy: ${Math.round(q.load)}% of a core)`);
  }
  try {
    return await workload.run(ctx, system);
  } catch (err) {
    return { error: String(err.message || err) };
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  process.env.BENCH_PAYLOAD = args.payload; // children inherit it (lib/payload.js)
  const sizes = args.quick ? config.quick : config.full;
  // One Redis for the run (children inherit BENCH_REDIS); without redis-server the cluster figures are skipped.
  const redis = await startRedis();
  if (redis) process.env.BENCH_REDIS = redis.url;
  const { missing, skipped } = availability();
  const steps = plan(args, missing);
  const started = Date.now();
  const serverArgs = ['--expose-gc'];
  const startGen = startGenerator;
  const ctx = {
    config: sizes,
    gen: await startGen(),
    startServer: (system) =>
      start(path.join(__dirname, 'servers', 'main.js'), [system], { core: 0, nodeArgs: serverArgs, label: `server ${system}` }),
  };
  const raw = {};
  const budget = { quiet: sizes.quietBudgetMs, retry: sizes.retryBudgetMs };
  let retries = 0;
  for (let round = 0; round < args.rounds; round++) {
    for (const [workload, systems] of steps) {
      // Rotate the order each round so no system always runs first (or after the same neighbour).
      const order = systems.map((_, i) => systems[(i + round) % systems.length]);
      for (const system of order) {
        let result = await measure(ctx, workload, system, sizes, budget, startGen);
        // A figure taken while other processes took much CPU is re-taken (bounded), keeping the quietest.
        for (let i = 0; i < 2 && result.otherCpu > sizes.noisyCpu && budget.retry > 0; i++) {
          const t = Date.now();
          const again = await measure(ctx, workload, system, sizes, budget, startGen);
          budget.retry -= Date.now() - t;
          retries++;
          console.error(`  retried (other processes used ${Math.round(result.otherCpu)}% of a core)`);
          if (!again.error && again.otherCpu < result.otherCpu) result = again;
        }
        ((raw[workload.name] ??= {})[system] ??= []).push(result);
        const line = workload.name === 'codec' ? Object.keys(result).filter((k) => typeof result[k] === 'object').join(', ') : brief(result);
        console.error(`[round ${round + 1}/${args.rounds}] ${workload.name} ${system}: ${line}`);
      }
    }
  }
  await stopAll();
  if (redis) redis.stop();

  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: (os.cpus()[0] || {}).model,
    taskset: hasTaskset(),
    quick: args.quick,
    payload: args.payload,
    rounds: args.rounds,
    seconds: (Date.now() - started) / 1000,
    retries,
    // The systems this run measured (the chart's legend), not every one the config knows.
    systems: [...new Set(steps.flatMap(([, systems]) => systems))].filter((s) => s !== '-'),
    skipped,
    config: sizes,
  };
  const file = writeReport(args.out, raw, meta);
  console.error(`done in ${meta.seconds.toFixed(0)} s → ${file}`);
}

// Never leave children behind: on signals, errors and any exit.
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopAll().finally(() => process.exit(130));
  });
}
main().catch(async (err) => {
  console.error(err && err.stack ? err.stack : err);
  await stopAll();
  process.exit(1);
});
