#!/usr/bin/env node
'use strict';
// Resumable sessions (plugins/continuity), measured in one process so that
// other load on a shared machine barely moves the CPU figures. After
// `npm run build`: `node bench/continuity.js [--write]` (--write updates
// bench/CONTINUITY.md). Four figures, each with continuity off, on the
// in-memory store and on the Redis Streams store (a redis-server of the
// run's own; skipped without one), side by side in one run:
//   1. echo: CPU per message of the server's message path (receive, decode,
//      `data`, write, encode, send) on a no-op transport, the client's
//      acknowledgement every 32 messages included; with Redis, the writes
//      to Redis and their replies too (one write-behind flush per 10
//      messages, as when a socket read carries 10);
//   2. broadcast: CPU per delivery of `kernel.write` to 1,000 sparks
//      (Redis: one flush per broadcast, replies included);
//   3. heap per idle session (5,000 sparks, after GC); with Redis, also
//      Redis's own memory per session;
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
const { continuity, continuityStoreOf } = require(path.join(DIST, 'plugins/continuity'));
const { cluster, clusterOf } = require(path.join(DIST, 'plugins/cluster'));
const { startRedis } = require('./lib/redis');
const { withSection } = require('./lib/sections');

const ROUNDS = 5;
let sink = 0;
const transport = { send: (frame) => ((sink += frame.length), true), close() {} };
let sessionIds = 0;
/** The run's redis-server (null: none installed, the Redis column is skipped). */
let redis = null;
let prefixes = 0;

/** mode: 'off', 'memory' or 'redis' (the cluster plugin first: its Redis becomes the store). */
async function kernelWith(mode, attach = true) {
  const k = createKernel().use(websockets).use(jsonParserPlugin).use(heartbeat, { pingInterval: false }).use(reconnect);
  if (mode === 'redis') k.use(cluster, { redis: redis.url, prefix: `bench${process.pid}x${++prefixes}` });
  if (mode !== 'off') k.use(continuity);
  if (attach) k.attach(http.createServer());
  if (mode === 'redis') {
    await clusterOf(k).ready(10_000);
    while (continuityStoreOf(k).epoch === '') await new Promise((r) => setTimeout(r, 5));
  }
  return k;
}

/** A spark on a no-op transport; with continuity it asks for a session as our client does. */
function sparkOf(k, mode) {
  const n = ++sessionIds;
  const query = mode !== 'off' ? { _continuity: `1.s${process.pid}x${n}.t${n}..0..1` } : {};
  return k.connect({ transport, request: { headers: {}, query, url: '/primus', socket: {} }, socket: null });
}

const tick = () => new Promise((r) => setImmediate(r));

/** Until every spark has its session (the Redis store answers a connect asynchronously). */
async function settled(k, mode) {
  if (mode !== 'redis') return tick();
  const store = continuityStoreOf(k);
  while ([...k.connections.values()].some((s) => s.session === null)) await new Promise((r) => setTimeout(r, 5));
  await drained(store);
}

/** Until the Redis store has written everything (waiting on its replies, not spinning: the CPU figures count this). */
async function drained(store) {
  await null;
  while (store.writer.pending > 0) await store.writer.settle(10_000);
}

/**
 * CPU ns per call of `fn` on the Redis store: batches of `per` calls, each
 * followed by a microtask turn (the write-behind flush) and, every 200, an
 * event-loop turn (Redis's replies); ends when Redis has everything, so the
 * replies' cost is in.
 */
async function cpuNsRedis(fn, store, per, calls) {
  const run = async (n) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i += per) {
      for (let j = 0; j < per; j++) fn();
      await null;
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    await drained(store);
    const c = process.cpuUsage(c0);
    return ((c.user + c.system) * 1000) / n;
  };
  await run(calls / 4);
  return run(calls);
}

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

async function echo(mode) {
  const k = await kernelWith(mode);
  k.on('connection', (spark) => spark.on('data', (d) => spark.write(d)));
  const spark = sparkOf(k, mode);
  await settled(k, mode);
  const frame = JSON.stringify(message);
  let n = 0;
  const one = () => {
    spark.receive(frame);
    // Our client acknowledges every 32 messages it receives.
    if (mode !== 'off' && ++n % 32 === 0) spark.receive(JSON.stringify('primus::continuity.ack::' + n));
  };
  const ns = mode === 'redis' ? await cpuNsRedis(one, continuityStoreOf(k), 10, 20_000) : cpuNs(one);
  await k.close();
  return ns;
}

async function broadcast(mode) {
  const k = await kernelWith(mode);
  for (let i = 0; i < 1000; i++) sparkOf(k, mode);
  await settled(k, mode);
  const send = () => k.write(message);
  const ns = (mode === 'redis' ? await cpuNsRedis(send, continuityStoreOf(k), 1, 200) : cpuNs(send, 600)) / 1000;
  await k.close();
  return ns;
}

/** Heap per idle session; with Redis also Redis's used_memory per session (`redisBytes`). */
async function heapPerSession(mode) {
  const k = await kernelWith(mode);
  const info = async () => Number(/used_memory:(\d+)/.exec(await clusterOf(k).driver.command('info', ['memory']))[1]);
  const redisBefore = mode === 'redis' ? await info() : 0;
  global.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 5000; i++) sparkOf(k, mode);
  await settled(k, mode);
  global.gc();
  const bytes = (process.memoryUsage().heapUsed - before) / 5000;
  if (mode === 'redis') lastRedisBytes = ((await info()) - redisBefore) / 5000;
  await k.close();
  return bytes;
}
let lastRedisBytes = 0;

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

async function resume(mode, missed = 1000, runs = 9) {
  const k = await kernelWith(mode, false);
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
    if (mode === 'redis') await drained(continuityStoreOf(k));
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
  redis = await startRedis();
  const modes = redis ? ['off', 'memory', 'redis'] : ['off', 'memory'];
  if (!redis) console.log('redis-server is not installed: the Redis store column is skipped');
  const rows = [];
  const figure = async (label, unit, fn) => {
    const runs = Object.fromEntries(modes.map((m) => [m, []]));
    const redisBytes = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of modes) {
        runs[mode].push(await fn(mode));
        if (mode === 'redis' && fn === heapPerSession) redisBytes.push(lastRedisBytes);
      }
    }
    const row = { label, unit, off: median(runs.off), on: median(runs.memory), redis: redis ? median(runs.redis) : null };
    if (redisBytes.length) row.redisServer = median(redisBytes);
    rows.push(row);
    const ratio = (v) => `${(v / row.off).toFixed(2)}×`;
    console.log(`${label}: off ${row.off.toFixed(0)} ${unit}, memory ${row.on.toFixed(0)} ${unit} (${ratio(row.on)})` +
      (row.redis === null ? '' : `, redis ${row.redis.toFixed(0)} ${unit} (${ratio(row.redis)})`) +
      (row.redisServer ? `, plus ${row.redisServer.toFixed(0)} bytes in Redis` : ''));
  };
  try {
    await figure('Server CPU per echo (message path, no-op transport)', 'ns', echo);
    await figure('Server CPU per broadcast delivery (1,000 sparks)', 'ns', broadcast);
    await figure('Heap per idle connection (5,000)', 'bytes', heapPerSession);
    const replay = { memory: await resume('memory') };
    if (redis) replay.redis = await resume('redis');
    console.log(`Resume after 1,000 missed messages: memory ${replay.memory.toFixed(1)} ms` + (redis ? `, redis ${replay.redis.toFixed(1)} ms` : '') + ' from reconnect to the last replayed message');
    if (sink === -1) console.log(sink);
    if (process.argv.includes('--write')) write(rows, replay);
  } finally {
    if (redis) redis.stop();
  }
}

/** The CONTINUITY.md tables, and the same in RESULTS.md's continuity section. */
function write(rows, replay) {
  const inProcess = [
    `In process (\`npm run bench:continuity\`, ${new Date().toISOString()}, Node ${process.version}, ${ROUNDS} rounds, medians): continuity off, on the in-memory store and on the Redis Streams store (a redis-server of the run's own, one node) in the same process. CPU figures are the server process's CPU time (Redis's own CPU is not counted; with Redis they include the write-behind calls and their replies, one flush per 10 messages for the echo, one per broadcast), so other load on the machine barely moves them.`,
    '',
    '| figure | off | memory store | memory ÷ off | Redis store | Redis ÷ off |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.label} | ${r.off.toFixed(0)} ${r.unit} | ${r.on.toFixed(0)} ${r.unit} | ${(r.on / r.off).toFixed(2)}× | ` +
      (r.redis === null ? '– | – |' : `${r.redis.toFixed(0)} ${r.unit}${r.redisServer ? ` (+ ${r.redisServer.toFixed(0)} bytes in Redis)` : ''} | ${(r.redis / r.off).toFixed(2)}× |`)),
    '',
    `Resume of a client that missed 1,000 messages (real client and server over loopback through a proxy, one process): **${replay.memory.toFixed(1)} ms** with the in-memory store` +
      (replay.redis === undefined ? '' : `, **${replay.redis.toFixed(1)} ms** with the Redis store (the claim reads the 1,000 entries from Redis)`) + ' from the new connection opening to the last replayed message (median of 7 warm runs).',
  ];
  const network = networkTable();
  const md = ['# Continuity figures', '', ...inProcess, '', ...network, ''].join('\n');
  fs.writeFileSync(path.join(__dirname, 'CONTINUITY.md'), md);
  const results = path.join(__dirname, 'RESULTS.md');
  const section = ['## Resumable sessions (continuity)', '', ...inProcess, '', ...network].join('\n');
  fs.writeFileSync(results, withSection(fs.readFileSync(results, 'utf8'), 'continuity', section));
}

/**
 * With `--network=<results.json of bench/run.js>`: the network figures of
 * allspark-kernel, allspark-continuity and allspark-continuity-redis from
 * that run, side by side (the target: memory store ≤ 1.25× of the kernel).
 */
function networkTable() {
  const arg = process.argv.find((a) => a.startsWith('--network='));
  if (!arg) return ['Network figures: `node bench/run.js --only=echo,broadcast,memory --systems=allspark-kernel,allspark-continuity,allspark-continuity-redis`, then `--write --network=<its results.json>`.'];
  const file = arg.slice('--network='.length);
  const { meta, summary } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const systems = ['allspark-kernel', 'allspark-continuity', 'allspark-continuity-redis'];
  const figures = [
    ['Server CPU per echo (100 conns × 10 in flight)', 'echo', 'cpuUs', 'µs', 2],
    ['Echo throughput', 'echo', 'rate', 'msg/s', 0],
    ['Server CPU per broadcast delivery (clients × broadcasts as in RESULTS.md)', 'broadcast', 'cpuUs', 'µs', 2],
    ['RSS per idle connection', 'memory', 'rssPerConn', 'bytes', 0],
    ['Heap per idle connection', 'memory', 'heapPerConn', 'bytes', 0],
  ];
  const cell = (w, s, m, unit, d) => {
    const v = summary[w] && summary[w][s] && summary[w][s][m];
    return typeof v === 'number' ? `${v.toFixed(d)} ${unit}` : '–';
  };
  const ratio = (w, s, m) => {
    const base = summary[w] && summary[w]['allspark-kernel'] && summary[w]['allspark-kernel'][m];
    const v = summary[w] && summary[w][s] && summary[w][s][m];
    return typeof v === 'number' && base ? `${(v / base).toFixed(2)}×` : '–';
  };
  const other = Math.max(...figures.flatMap(([, w]) => systems.map((s) => (summary[w] && summary[w][s] && summary[w][s].otherCpu) || 0)));
  return [
    `Network (\`node bench/run.js\`, ${meta.date}, ${meta.rounds} round(s), medians; the generator asks each connection for a session and acknowledges every 32 messages, as our client does). ` +
      `Other processes used up to ${Math.round(other)} % of a core during these figures: ${other > 25 ? 'indicative only, re-take them on a quiet machine' : 'a quiet run'}.`,
    '',
    '| figure | allspark-kernel | continuity, memory | ÷ kernel | continuity, Redis | ÷ kernel |',
    '|---|---:|---:|---:|---:|---:|',
    ...figures.map(([label, w, m, unit, d]) => `| ${label} | ${cell(w, systems[0], m, unit, d)} | ${cell(w, systems[1], m, unit, d)} | ${ratio(w, systems[1], m)} | ${cell(w, systems[2], m, unit, d)} | ${ratio(w, systems[2], m)} |`),
  ];
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
