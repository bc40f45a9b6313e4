'use strict';
// RESULTS.md: one table per workload (median, × ws, × ws+JSON), the targets,
// the codec micro-benchmark and the chart.
const { METRICS, BASES, valueOf } = require('./metrics');

const fmt = (v, digits = 0) =>
  v === undefined || v === null || !Number.isFinite(v)
    ? '–'
    : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (v) => (v === undefined || v === null || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}×`);

/** Table of all metrics of one workload: a row per system. */
function workloadTable(summary, workload, systems) {
  const metrics = METRICS.filter((m) => m.id.startsWith(workload + '.'));
  const present = systems.filter((s) => summary[workload] && summary[workload][s]);
  if (present.length === 0) return '';
  const head = ['system'];
  for (const m of metrics) head.push(`${m.label} (${m.unit})`, ...BASES.map((b) => `× ${b}`));
  const hasCpu = present.some((s) => summary[workload][s].serverCpu !== undefined);
  if (hasCpu) head.push('server CPU %', 'generator CPU %', 'other processes CPU %');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const s of present) {
    const row = [s];
    const r = summary[workload][s];
    for (const m of metrics) {
      const key = m.id.split('.')[1];
      const v = valueOf(summary, m.id, s);
      row.push(fmt(v === undefined ? v : v * (m.scale || 1), m.digits));
      for (const b of BASES) row.push(ratio(r.ratio && r.ratio[key] && r.ratio[key][b]));
    }
    if (hasCpu) row.push(fmt(r.serverCpu), fmt(r.genCpu), fmt(r.otherCpu));
    if (r.errors && r.errors.length) row[0] += ` (${r.errors.length} failed round(s))`;
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

function targetsTable(rows) {
  if (rows.length === 0) return '_No targets could be evaluated._';
  const lines = ['| system | metric | target | measured ratio | result |', '|---|---|---|---:|---|'];
  for (const t of rows) {
    const m = METRICS.find((x) => x.id === t.metric);
    const target = t.factor === 1 && t.op === '<' ? `< ${t.base}` : `${t.op} ${+t.factor.toFixed(2)} × ${t.base}`;
    lines.push(`| ${t.system} | ${m.label} | ${target} | ${t.ratio.toFixed(2)}× | ${t.pass ? 'pass' : '**FAIL**'} |`);
  }
  return lines.join('\n');
}

function codecTable(codec) {
  if (!codec || !codec.JSON) return '';
  const lines = [
    '| codec | encode (ns) | × JSON | decode (ns) | × JSON | encode+decode (ns) | × JSON | bytes | × JSON |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [name, c] of Object.entries(codec)) {
    lines.push(
      `| ${name} | ${fmt(c.encodeNs)} | ${ratio(c.ratio.encodeNs)} | ${fmt(c.decodeNs)} | ${ratio(c.ratio.decodeNs)} | ` +
        `${fmt(c.roundTripNs)} | ${ratio(c.ratio.roundTripNs)} | ${c.bytes} | ${ratio(c.ratio.bytes)} |`,
    );
  }
  return lines.join('\n');
}

/** Binary parsers' echo throughput next to the JSON kernel of the same run. */
function binaryTable(summary) {
  const echo = summary.echo || {};
  const json = echo['allspark-kernel'];
  const rows = ['allspark-kernel', 'allspark-msgpack', 'allspark-binarypack'].filter((s) => echo[s]);
  if (!json || rows.length < 2) return '_Binary parsers not built: skipped._';
  const lines = ['| kernel parser | echo msg/s | × json kernel | × ws+JSON | p99 (ms) |', '|---|---:|---:|---:|---:|'];
  for (const s of rows) {
    lines.push(
      `| ${s.replace('allspark-', '').replace('kernel', 'json')} | ${fmt(echo[s].rate)} | ${ratio(echo[s].rate / json.rate)} | ` +
        `${ratio(echo[s].ratio.rate['ws-json'])} | ${fmt(echo[s].p99, 2)} |`,
    );
  }
  return lines.join('\n');
}

/** Cross-node broadcast: allspark's cluster plugin next to Socket.IO's Redis adapter, same run. */
function clusterTable(summary, config) {
  const by = summary.cluster || {};
  const rows = ['allspark-cluster', 'socketio-redis'].filter((s) => by[s]);
  if (rows.length === 0) return '_not run (needs redis-server)_';
  const base = by['socketio-redis'];
  const vs = (s, k) => ratio(base && by[s][k] / base[k]);
  const lines = [
    `${config.clients} clients spread over 3 nodes on one Redis. Deliveries/s: node 0 broadcasts ${config.count} messages, one per ` +
      `event-loop turn. Latency of every delivery (send on node 0 → receipt): ${config.paced ? config.paced.count : '?'} broadcasts, one every ` +
      `${config.paced ? config.paced.intervalMs : '?'} ms.`,
    '',
    '| system | deliveries/s | × socketio-redis | p50 (ms) | p99 (ms) | × socketio-redis | CPU µs per delivery, 3 nodes | publishing node µs | ' +
      'to 10 sparks on node 1: node 1 µs/msg | node 2 (none of them) µs/msg | other processes CPU % |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of rows) {
    const r = by[s];
    lines.push(
      `| ${s} | ${fmt(r.rate)} | ${vs(s, 'rate')} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${vs(s, 'p99')} | ${fmt(r.cpuUs, 2)} | ` +
        `${fmt(r.publisherCpuUs, 2)} | ${fmt(r.targetNodeCpuUs, 1)} | ${fmt(r.bystanderCpuUs, 1)} | ${fmt(r.otherCpu)} |`,
    );
  }
  const echo = summary.echo || {};
  if (echo['allspark-cluster'] && echo['allspark-kernel']) {
    lines.push(
      '',
      `Single node, echo with the cluster plugin loaded: ${fmt(echo['allspark-cluster'].rate)} msg/s, ` +
        `${ratio(echo['allspark-cluster'].rate / echo['allspark-kernel'].rate)} the kernel without it ` +
        `(server CPU per echo ${ratio(echo['allspark-cluster'].cpuUs / echo['allspark-kernel'].cpuUs)}).`,
    );
  }
  return lines.join('\n');
}

/** The in-process message path: what the kernel adds to a ws+JSON handler. */
function overheadTable(o) {
  if (!o || !Number.isFinite(o.allsparkNs)) return '_not run_';
  return [
    '| path (no sockets) | ns per message | × ws+JSON handler |',
    '|---|---:|---:|',
    `| ws+JSON handler: parse, stringify, send | ${fmt(o.wsJsonNs)} | 1.00× |`,
    `| allspark spark.receive → \`data\` → spark.write | ${fmt(o.allsparkNs)} | ${ratio(o.allsparkNs / o.wsJsonNs)} |`,
    `| added by allspark | ${fmt(o.allsparkNs - o.wsJsonNs)} | |`,
  ].join('\n');
}

/** Install size of a websockets + JSON server's dependencies, against the 8 MiB target and Primus. */
function installTable(install) {
  if (!install || !install.allspark || !Number.isFinite(install.allspark.disk)) return '_not run_';
  const mib = (v) => fmt(v / 1024 / 1024, 2);
  const base = install['primus+ws'];
  const lines = [
    '| install (`npm install --omit=dev`) | packages | on disk (MiB) | file bytes (MiB) | files | on disk × primus+ws |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const [system, r] of Object.entries(install)) {
    lines.push(
      `| ${system} | ${fmt(r.packages)} | ${mib(r.disk)} | ${mib(r.bytes)} | ${fmt(r.files)} | ${ratio(base ? r.disk / base.disk : undefined)} |`,
    );
  }
  const a = install.allspark;
  const verdict = (r) => (r.disk <= 8 * 1024 * 1024 ? 'pass' : '**FAIL**');
  const ours = Object.entries(install).filter(([system, r]) => system.startsWith('allspark') && r && Number.isFinite(r.disk));
  lines.push(
    '',
    `allspark's own folder: ${mib(a.ownDisk)} MiB on disk (${mib(a.ownBytes)} MiB of files). ` +
      `Target ≤ 8 MiB on disk in all: ${ours.map(([system, r]) => `${system} ${verdict(r)}`).join(', ')} (alone, npm installs the newest zod the peer range allows, zod 4).`,
  );
  return lines.join('\n');
}

/** How many noisy rounds the medians left out. */
const dropped = (summary) =>
  Object.values(summary)
    .flatMap((by) => Object.values(by))
    .reduce((n, r) => n + (r.noisyRoundsDropped || 0), 0);

function render(results) {
  const { meta, summary } = results;
  const systems = meta.systems;
  const out = [
    '# allspark benchmark results',
    '',
    `Generated by \`node bench/run.js${meta.quick ? ' --quick' : ''}\` on ${meta.date}: Node ${meta.node}, ` +
      `${meta.cpus} × ${meta.cpuModel}, ${meta.rounds} round(s), systems interleaved, medians of rounds ` +
      `(rounds in which other processes used more than ${meta.config.noisyCpu} % of a core are left out when ` +
      `quieter rounds of the same figure exist: ${dropped(summary)} left out). ` +
      `Server and load generator pinned to separate cores: ${meta.taskset ? 'yes (taskset)' : 'no (taskset unavailable)'}. ` +
      `Run time ${Math.round(meta.seconds)} s; ${meta.retries} noisy measurement(s) re-taken.`,
    '',
    'Ratios compare each median with the raw `ws` echo server (× ws) and the `ws` server doing one JSON.parse and ' +
      'one JSON.stringify per message (× ws-json) of the same run. See README.md for what each workload does.',
    '',
    '`allspark-continuity` is `allspark-kernel` with resumable sessions (in-memory store) on every connection, ' +
      '`allspark-continuity-redis` the same on the Redis Streams store (cluster plugin, one node); ' +
      'their in-process figures and the resume time are in [CONTINUITY.md](CONTINUITY.md) (`npm run bench:continuity`) and the continuity section below.',
    '',
  ];
  if (meta.skipped.length) out.push(`Skipped: ${meta.skipped.join('; ')}.`, '');
  // Figures merged in from another run (say, install sizes measured after this run), said where they came from.
  for (const note of meta.notes || []) out.push(note, '');
  const noisy = Object.entries(summary)
    .flatMap(([w, by]) => Object.entries(by).map(([s, r]) => [w, s, r && r.otherCpu]))
    .filter(([, , cpu]) => cpu > 15);
  if (noisy.length) {
    out.push(
      `**Noise warning:** other processes used more than 15 % of a core during ${noisy.length} median figure(s) ` +
        `(e.g. ${noisy.slice(0, 3).map(([w, s, c]) => `${w}/${s} ${Math.round(c)} %`).join(', ')}); see the "other processes CPU %" columns.`,
      '',
    );
  }
  out.push('![ratios](results.svg)', '', '## Targets', '', targetsTable(results.targets), '');
  const sections = [
    ['echo', `Echo throughput (${meta.config.echo.conns} connections × ${meta.config.echo.inflight} in flight)`],
    ['latency', 'Single-connection latency (one message in flight)'],
    ['broadcast', `Broadcast fan-out (${meta.config.broadcast.clients} clients × ${meta.config.broadcast.count} broadcasts)`],
    ['memory', `Memory per idle connection and set-up rate (${meta.config.memory.count} connections)`],
    ['footprint', 'Start-up footprint (bare server, no connections)'],
  ];
  for (const [w, title] of sections) {
    const t = workloadTable(summary, w, systems);
    if (t) out.push(`## ${title}`, '', t, '');
  }
  out.push('## Install size (websockets + JSON server)', '', installTable(summary.install), '');
  out.push('## Cross-node broadcast on Redis (3 nodes)', '', clusterTable(summary, meta.config.cluster || {}), '');
  out.push('## Binary parsers: echo throughput against JSON', '', binaryTable(summary), '');
  out.push('## Codec micro-benchmark (in process, representative object)', '', codecTable(summary.codec) || '_not run_', '');
  out.push(
    '## Kernel overhead per message (in process, no-op transport)',
    '',
    overheadTable(summary.overhead && summary.overhead['allspark-kernel']),
    '',
  );
  return out.join('\n');
}

module.exports = { render };
