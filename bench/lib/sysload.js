'use strict';
// Whole-machine CPU use from /proc/stat, so each measurement can say how
// much CPU *other* processes took meanwhile (shared machines make noise;
// this makes it visible instead of silently skewing ratios).
const fs = require('fs');

/** `{ busy, total }` in clock ticks summed over all cores, or null off Linux. */
function stat() {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return null;
  }
}

/** Machine busy time between two stats, in % of one core (2 busy cores = 200). */
function busyPercent(a, b, cores) {
  if (!a || !b || b.total === a.total) return undefined;
  return (100 * cores * (b.busy - a.busy)) / (b.total - a.total);
}

module.exports = { stat, busyPercent };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Before a measurement, wait (bounded by `maxMs`) until other processes use
 * less than `threshold` % of a core; our own children are idle then. Returns
 * the ms waited and the last load seen.
 */
async function waitQuiet(maxMs, threshold = 40, cores = require('os').cpus().length) {
  const started = Date.now();
  let load;
  do {
    const a = stat();
    await sleep(250);
    load = busyPercent(a, stat(), cores);
    if (load === undefined || load < threshold) break;
  } while (Date.now() - started + 250 < maxMs);
  return { waited: Date.now() - started, load };
}

module.exports.waitQuiet = waitQuiet;
