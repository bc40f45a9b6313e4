#!/usr/bin/env node
'use strict';
// Resumable sessions (plugins/continuity), measured in one process so that
// other load on a shared machine barely moves the CPU figures. After
// `npm run build`: `node bench/continuity.js [--write]` (--write updates
// bench/CONTINUITY.md). Four figures, each with continuity on and off:
//   1. echo: CPU per message of the server's message path (receive, decode,
//      `data`, write, encode, send) on a no-op transport, the client's
//      acknowledgement every 32 messages included;
//   2. broadcast: CPU per delivery of `kernel.write` to 1,000 sparks;
//   3. heap per idle session (5,000 sparks, after GC);
//   4. resume: a real client over loopback misses 1,000 messages, comes
//      back; time from the new connection opening to the last replayed one.
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const { median } = require('./lib/stats');
const { message } = require('./lib/payload');

const DIST = path.join(__dirname, '..', 'dist');
const { createKernel, clientFor } = require(DIST);
const { websockets } = require(path.join(DIST, 'transformers/websockets'));
const { jsonParserPlugin } = require(path.join(DIST, 'plugins/json-parser'));
const { heartbeat } = require(path.join(DIST, 'plugins/heartbeat'));
const { reconnect } = require(path.join(DIST, 'plugins/reconnect'));
const { continuity } = require(path.join(DIST, 'plugins/continuity'));

const ROUNDS = 5;
let sink = 0;
const transport = { send: (frame) => ((sink += frame.length), true), close() {} };
let sessionIds = 0;

function kernelWith(on) {
  const k = createKernel().use(websockets).use(jsonParserPlugin).use(heartbeat, { pingInterval: false }).use(reconnect);
  if (on) k.use(continuity);
  k.attach(http.createServer());
  return k;
}

/** A spark on a no-op transport; with continuity it asks for a session as our client does. */
function sparkOf(k, on) {
  const n = ++sessionIds;
  const query = on ? { _continuity: `1.s${n}.t${n}..0..1` } : {};
  return k.connect({ transport, request: { headers: {}, query, url: '/primus', socket: {} }, socket: null });
}

const tick = () => new Promise((r) => setImmediate(r));

/** CPU ns per call of `fn`, in batches, after a warm-up. */
function cpuNs(fn, ms = 400) {
  const run = (budget) => {
    let n = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    while (performance.now() < t0 + budget) {
      for (let i = 0; i < 200; i++) fn();
      n += 200;
    }
    const c = process.cpuUsage(c0);
    return ((c.user + c.system) * 1000) / n;
  };
  run(ms / 2);
  return run(ms);
}

async function echo(on) {
  const k = kernelWith(on);
  k.on('connection', (spark) => spark.on('data', (d) => spark.write(d)));
  const spark = sparkOf(k, on);
  await tick();
  const frame = JSON.stringify(message);
  let n = 0;
  const ns = cpuNs(() => {
    spark.receive(frame);
    // Our client acknowledges every 32 messages it receives.
    if (on && ++n % 32 === 0) spark.receive(JSON.stringify('primus::continuity.ack::' + n));
  });
  await k.close();
  return ns;
}

async function broadcast(on) {
  const k = kernelWith(on);
  for (let i = 0; i < 1000; i++) sparkOf(k, on);
  await tick();
  const ns = cpuNs(() => k.write(message), 600) / 1000;
  await k.close();
  return ns;
}

async function heapPerSession(on) {
  const k = kernelWith(on);
  global.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 5000; i++) sparkOf(k, on);
  await tick();
  global.gc();
  const bytes = (process.memoryUsage().heapUsed - before) / 5000;
  await k.close();
  return bytes;
}

/** Loopback proxy that can refuse new connections and cut the open ones. */
function proxy(target) {
  let refusing = false;
  const open = new Set();
  const server = net.createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = net.connect(target, '127.0.0.1');
    open.add(client);
    client.pipe(upstream).pipe(client);
    const drop = () => (open.delete(client), client.destroy(), upstream.destroy());
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  return {
    listen: () => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port))),
    cut: () => ((refusing = true), open.forEach((c) => c.destroy())),
    allow: () => (refusing = false),
    close: () => new Promise((r) => server.close(r)),
  };
}

const until = async (check) => {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
};

async function resume(missed = 1000, runs = 9) {
  const k = createKernel().use(websockets).use(jsonParserPlugin).use(heartbeat, { pingInterval: false }).use(reconnect).use(continuity);
  const server = await k.listen(0);
  const p = proxy(server.address().port);
  const port = await p.listen();
  const Socket = clientFor(k);
  const times = [];
  for (let run = 0; run < runs; run++) {
    const connected = new Promise((r) => k.once('connection', r));
    const client = new Socket(`http://127.0.0.1:${port}`, { reconnect: { min: 5, max: 10, retries: 1000 } });
    let got = 0;
    client.on('data', () => got++);
    const session = (await connected).session;
    await until(() => client.continuity.phase === 'on');
    p.cut();
    await until(() => session.spark === null);
    for (let i = 1; i <= missed; i++) session.write({ ...message, i });
    let openedAt = 0n;
    client.once('incoming::open', () => (openedAt = process.hrtime.bigint()));
    p.allow();
    await until(() => got >= missed);
    times.push(Number(process.hrtime.bigint() - openedAt) / 1e6);
    client.destroy();
  }
  await p.close();
  await k.close();
  return median(times.slice(2)); // the first runs warm the JIT
}

async function main() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc (npm run bench:continuity does)');
  const rows = [];
  const figure = async (label, unit, fn, digits) => {
    const off = [];
    const on = [];
    for (let r = 0; r < ROUNDS; r++) {
      off.push(await fn(false));
      on.push(await fn(true));
    }
    const row = { label, unit, off: median(off), on: median(on) };
    rows.push(row);
    console.log(`${label}: off ${row.off.toFixed(digits)} ${unit}, on ${row.on.toFixed(digits)} ${unit} (${(row.on / row.off).toFixed(2)}×)`);
  };
  await figure('Server CPU per echo (message path, no-op transport)', 'ns', echo, 0);
  await figure('Server CPU per broadcast delivery (1,000 sparks)', 'ns', broadcast, 0);
  await figure('Heap per idle connection (5,000)', 'bytes', heapPerSession, 0);
  const replayMs = await resume();
  console.log(`Resume after 1,000 missed messages: ${replayMs.toFixed(1)} ms from reconnect to the last replayed message`);
  if (sink === -1) console.log(sink);
  if (process.argv.includes('--write')) write(rows, replayMs);
}

function write(rows, replayMs) {
  const md = [
    '# Continuity figures',
    '',
    `Generated by \`npm run bench:continuity\` on ${new Date().toISOString()}: Node ${process.version}, ${ROUNDS} rounds, medians, continuity on and off in the same process (in-memory store). CPU figures are process CPU time, so other load on the machine barely moves them.`,
    '',
    '| figure | off | on | on ÷ off |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.label} | ${r.off.toFixed(0)} ${r.unit} | ${r.on.toFixed(0)} ${r.unit} | ${(r.on / r.off).toFixed(2)}× |`),
    '',
    `Resume of a client that missed 1,000 messages (real client and server over loopback through a proxy, one process): **${replayMs.toFixed(1)} ms** from the new connection opening to the last replayed message (median of 7 warm runs).`,
    '',
    'The network figures of `npm run bench` (system `allspark-continuity` against `allspark-kernel`, target: server CPU per message ≤ 1.25×) are in RESULTS.md.',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'CONTINUITY.md'), md);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
