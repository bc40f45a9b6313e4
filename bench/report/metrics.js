'use strict';
// What is reported, and how raw per-round results become medians and ratios.
const { median } = require('../lib/stats');

const KiB = 1 / 1024;
const MiB = 1 / 1024 / 1024;

/** Every figure in the tables: `scale` converts the raw value to `unit`. */
const METRICS = [
  { id: 'echo.rate', label: 'Echo throughput', unit: 'msg/s', better: 'higher', digits: 0 },
  { id: 'echo.p50', label: 'Echo round trip p50', unit: 'ms', better: 'lower', digits: 2 },
  { id: 'echo.p99', label: 'Echo round trip p99', unit: 'ms', better: 'lower', digits: 2 },
  { id: 'echo.cpuUs', label: 'Server CPU per echo', unit: 'µs', better: 'lower', digits: 2 },
  { id: 'latency.p50', label: 'Latency p50 (1 conn)', unit: 'µs', better: 'lower', scale: 1000, digits: 0 },
  { id: 'latency.p99', label: 'Latency p99 (1 conn)', unit: 'µs', better: 'lower', scale: 1000, digits: 0 },
  { id: 'latency.p99w', label: 'Latency p99 (1 conn), median 1,000-message window', unit: 'µs', better: 'lower', scale: 1000, digits: 0 },
  { id: 'broadcast.rate', label: 'Broadcast fan-out', unit: 'deliveries/s', better: 'higher', digits: 0 },
  { id: 'broadcast.cpuUs', label: 'Server CPU per delivery', unit: 'µs', better: 'lower', digits: 2 },
  { id: 'cluster.rate', label: 'Cross-node broadcast', unit: 'deliveries/s', better: 'higher', digits: 0 },
  { id: 'cluster.p50', label: 'Cross-node delivery latency p50', unit: 'ms', better: 'lower', digits: 1 },
  { id: 'cluster.p99', label: 'Cross-node delivery latency p99', unit: 'ms', better: 'lower', digits: 1 },
  { id: 'cluster.cpuUs', label: 'Server CPU per delivery, 3 nodes', unit: 'µs', better: 'lower', digits: 2 },
  { id: 'cluster.publisherCpuUs', label: 'Publishing node CPU per delivery', unit: 'µs', better: 'lower', digits: 2 },
  { id: 'memory.rssPerConn', label: 'RSS per idle connection', unit: 'KiB', better: 'lower', scale: KiB, digits: 2 },
  { id: 'memory.heapPerConn', label: 'Heap per idle connection', unit: 'KiB', better: 'lower', scale: KiB, digits: 2 },
  { id: 'memory.connectRate', label: 'Connection set-up', unit: 'conn/s', better: 'higher', digits: 0 },
  { id: 'memory.connectCpuUs', label: 'Server CPU per set-up', unit: 'µs', better: 'lower', digits: 0 },
  { id: 'footprint.startMs', label: 'Process start → listening', unit: 'ms', better: 'lower', digits: 1 },
  { id: 'footprint.requireMs', label: 'require → listening', unit: 'ms', better: 'lower', digits: 1 },
  { id: 'footprint.rss', label: 'Idle RSS', unit: 'MiB', better: 'lower', scale: MiB, digits: 1 },
  { id: 'footprint.heapUsed', label: 'Idle heap', unit: 'MiB', better: 'lower', scale: MiB, digits: 2 },
  { id: 'install.disk', label: 'Install size on disk', unit: 'MiB', better: 'lower', scale: MiB, digits: 1 },
  { id: 'install.bytes', label: 'Install size (file bytes)', unit: 'MiB', better: 'lower', scale: MiB, digits: 1 },
  { id: 'install.packages', label: 'Installed packages', unit: 'packages', better: 'lower', digits: 0 },
];

/** Diagnostic figures: how busy each side was (100 % = one core). */
const CPU = ['serverCpu', 'genCpu', 'otherCpu'];

/** Ratios are taken against these systems of the same run. */
const BASES = ['ws', 'ws-json'];

/** The targets; `systems` are the allspark systems they apply to. */
const TARGETS = [
  { metric: 'echo.rate', base: 'ws-json', op: '>=', factor: 0.9 },
  { metric: 'broadcast.rate', base: 'ws-json', op: '>=', factor: 0.95 },
  // The same two targets in server CPU time per message: what throughput
  // would be with the server core to itself, so other load on a shared
  // machine barely moves it.
  { metric: 'echo.cpuUs', base: 'ws-json', op: '<=', factor: 1 / 0.9 },
  { metric: 'broadcast.cpuUs', base: 'ws-json', op: '<=', factor: 1 / 0.95 },
  { metric: 'memory.rssPerConn', base: 'ws', op: '<=', factor: 1.3 },
  { metric: 'memory.heapPerConn', base: 'ws', op: '<=', factor: 1.3 },
  { metric: 'memory.rssPerConn', base: 'primus', op: '<', factor: 1 },
  { metric: 'memory.rssPerConn', base: 'socketio', op: '<', factor: 1 },
  { metric: 'latency.p50', base: 'ws-json', op: '<=', factor: 1.1 },
  // p99 over a whole run is bimodal on a shared 2-core machine for every system, raw ws
  // included (bursts of other work land in some runs and not others); the median of the
  // 1,000-message windows' p99 is what the server causes. Both are reported.
  { metric: 'latency.p99w', base: 'ws-json', op: '<=', factor: 1.1 },
  // Scale-out (issue 10): the cluster plugin costs a single node's echo at most 10 %, and three
  // nodes on Redis deliver a broadcast faster than Socket.IO's Redis adapter with a p99 no worse.
  { metric: 'echo.rate', base: 'allspark-kernel', op: '>=', factor: 0.9, systems: ['allspark-cluster'] },
  { metric: 'echo.cpuUs', base: 'allspark-kernel', op: '<=', factor: 1 / 0.9, systems: ['allspark-cluster'] },
  { metric: 'cluster.rate', base: 'socketio-redis', op: '>=', factor: 1, systems: ['allspark-cluster'] },
  { metric: 'cluster.p99', base: 'socketio-redis', op: '<=', factor: 1, systems: ['allspark-cluster'] },
  { metric: 'footprint.startMs', base: 'ws', op: '<=', factor: 1.5, systems: ['allspark-kernel'] },
  { metric: 'footprint.startMs', base: 'primus', op: '<', factor: 1, systems: ['allspark-kernel'] },
  { metric: 'footprint.rss', base: 'ws', op: '<=', factor: 1.5, systems: ['allspark-kernel'] },
  { metric: 'footprint.rss', base: 'primus', op: '<', factor: 1, systems: ['allspark-kernel'] },
  // Resumable sessions (in-memory store) cost at most a quarter more server CPU per message than none.
  { metric: 'echo.cpuUs', base: 'allspark-kernel', op: '<=', factor: 1.25, systems: ['allspark-continuity'] },
  { metric: 'broadcast.cpuUs', base: 'allspark-kernel', op: '<=', factor: 1.25, systems: ['allspark-continuity'] },
];
const ALLSPARK = ['allspark-facade', 'allspark-kernel'];

/**
 * raw[workload][system] = [per-round result objects] →
 * summary[workload][system] = { key: median, ..., ratio: { key: { ws, 'ws-json' } } }.
 */
function summarise(raw, { noisyCpu = Infinity } = {}) {
  const summary = {};
  for (const [workload, bySystem] of Object.entries(raw)) {
    if (workload === 'codec') continue;
    const out = (summary[workload] = {});
    for (const [system, rounds] of Object.entries(bySystem)) {
      const ok = rounds.filter((r) => r && !r.error);
      // Rounds disturbed by other processes are left out when quieter rounds of the same figure exist.
      const quiet = ok.filter((r) => !(r.otherCpu > noisyCpu));
      const used = quiet.length > 0 ? quiet : ok;
      const keys = new Set(used.flatMap((r) => Object.keys(r)));
      out[system] = {
        rounds: used.length,
        noisyRoundsDropped: ok.length - used.length,
        errors: rounds.filter((r) => r && r.error).map((r) => r.error),
      };
      for (const k of keys) out[system][k] = median(used.map((r) => r[k]));
    }
    for (const system of Object.keys(out)) {
      const ratio = {};
      for (const k of Object.keys(out[system])) {
        if (typeof out[system][k] !== 'number' || ['rounds', 'noisyRoundsDropped'].includes(k) || CPU.includes(k)) continue;
        ratio[k] = {};
        for (const base of BASES) {
          const b = out[base] && out[base][k];
          ratio[k][base] = typeof b === 'number' && b !== 0 ? out[system][k] / b : null;
        }
      }
      out[system].ratio = ratio;
    }
  }
  if (raw.codec) summary.codec = summariseCodec(raw.codec['-'] || [], noisyCpu);
  return summary;
}

/** Codec medians per codec, with ratios to JSON. */
function summariseCodec(all, noisyCpu) {
  const out = {};
  const ok = all.filter((r) => r && !r.error);
  const quiet = ok.filter((r) => !(r.otherCpu > noisyCpu));
  const rounds = quiet.length > 0 ? quiet : ok;
  const names = new Set(rounds.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] === 'object')));
  for (const name of names) {
    const per = rounds.filter((r) => r && r[name]).map((r) => r[name]);
    out[name] = {};
    for (const k of ['encodeNs', 'decodeNs', 'roundTripNs', 'bytes']) out[name][k] = median(per.map((p) => p[k]));
  }
  for (const name of names) {
    out[name].ratio = {};
    for (const k of ['encodeNs', 'decodeNs', 'roundTripNs', 'bytes']) out[name].ratio[k] = out[name][k] / out.JSON[k];
  }
  return out;
}

/** Value of metric `id` for `system` (raw units), or undefined. */
function valueOf(summary, id, system) {
  const [w, k] = id.split('.');
  const v = summary[w] && summary[w][system] && summary[w][system][k];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Evaluate every target for every allspark system present. */
function checkTargets(summary) {
  const rows = [];
  for (const t of TARGETS) {
    for (const system of t.systems || ALLSPARK) {
      const v = valueOf(summary, t.metric, system);
      const b = valueOf(summary, t.metric, t.base);
      if (v === undefined || b === undefined) continue;
      const ratio = v / b;
      const pass = t.op === '>=' ? ratio >= t.factor : t.op === '<=' ? ratio <= t.factor : ratio < t.factor;
      rows.push({ ...t, system, value: v, baseValue: b, ratio, pass });
    }
  }
  return rows;
}

module.exports = { METRICS, BASES, TARGETS, summarise, checkTargets, valueOf };
