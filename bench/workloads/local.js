'use strict';
// Workloads that need no network: start-up footprint and the codec
// micro-benchmark. Each sample is a fresh child process on the server core.
const os = require('os');
const path = require('path');
const { start } = require('../lib/child');
const { stat, busyPercent } = require('../lib/sysload');
const { median } = require('../lib/stats');

/**
 * Run a one-shot child (it reports `results` and its own `cpuMs` when ready)
 * and say how much CPU other processes used meanwhile, as the network
 * workloads do, so noisy samples can be re-taken.
 */
async function oneShot(file, args, label) {
  const m0 = stat();
  const t0 = Date.now();
  const child = await start(path.join(__dirname, file), args, { core: 0, label, readyMs: 60_000 });
  const machine = busyPercent(m0, stat(), os.cpus().length);
  await child.stop();
  const own = (100 * child.info.cpuMs) / (Date.now() - t0);
  return { ...child.info.results, otherCpu: machine === undefined ? undefined : Math.max(0, machine - own) };
}

/** Start-up time and idle memory of a bare server, `repeats` fresh processes per round. */
const footprint = {
  name: 'footprint',
  async run(ctx, system) {
    const samples = [];
    for (let i = 0; i < ctx.config.footprint.repeats; i++) {
      const child = await start(path.join(__dirname, 'footprint-child.js'), [system], {
        core: 0,
        nodeArgs: ['--expose-gc'],
        label: `footprint ${system}`,
      });
      const { startMs, requireMs, rss, heapUsed } = child.info;
      samples.push({ startMs, requireMs, rss, heapUsed });
      await child.stop();
    }
    // Median within the round; the report takes the median across rounds.
    const mid = (k) => median(samples.map((s) => s[k]));
    return { startMs: mid('startMs'), requireMs: mid('requireMs'), rss: mid('rss'), heapUsed: mid('heapUsed') };
  },
};

/** Encode/decode cost of each codec on the representative payload. */
const codec = {
  name: 'codec',
  run: (ctx) => oneShot('codec-child.js', [String(ctx.config.codec.durationMs)], 'codec micro-benchmark'),
};

/** allspark's per-message cost on a no-op transport against a ws+JSON handler (in process). */
const overhead = {
  name: 'overhead',
  run: (ctx) => oneShot('overhead-child.js', [String(ctx.config.codec.durationMs)], 'overhead micro-benchmark'),
};

module.exports = { footprint, codec, overhead };
