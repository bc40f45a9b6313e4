'use strict';
// Load generator child, pinned to its own core. The parent drives it with
// commands; every command is bounded in time and count and cleans up after
// itself so the next system starts from the same state.
const { serve, ready, wallNow, cpuStamp } = require('../lib/ipc');
const { p50p99, windowedP99, Samples } = require('../lib/stats');
const { openOne, openMany, closeAll } = require('./conns');
const { wires } = require('./wire');
const payload = require('../lib/payload').message;

const samples = new Samples(2_000_000);
let held = []; // connections kept open between commands (broadcast, memory)
let armed = null; // delivery counter of a broadcast in progress

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function wireOf(system) {
  const wire = wires[system];
  if (!wire) throw new Error(`no wire for ${system}`);
  return wire;
}

/**
 * Echo throughput: `conns` connections each keep `inflight` messages on the
 * wire; every reply records its round trip and sends the next message.
 * Replies come back in order per connection, so a ring of send times
 * suffices. Three commands, so the parent can read the server's CPU clock
 * exactly around the measured window: start (connect, send, warm up),
 * measure, stop.
 */
let echoRun = null;

async function echoStart({ system, port, conns, inflight, warmupMs }) {
  if (echoRun) await echoStop();
  const wire = wireOf(system);
  const { data, opts } = wire.frame(payload);
  const { conns: list } = await openMany(wire, port, conns, 50);
  const run = (echoRun = { list, measuring: false, running: true, count: 0, outstanding: 0 });
  const onMessage = (conn) => {
    const now = performance.now();
    run.outstanding--;
    if (run.measuring) {
      run.count++;
      samples.push(now - conn.sent[conn.head]);
    }
    conn.head = (conn.head + 1) % inflight;
    if (!run.running) return;
    conn.sent[conn.tail] = now;
    conn.tail = (conn.tail + 1) % inflight;
    run.outstanding++;
    conn.ws.send(data, opts);
  };
  for (const conn of list) {
    Object.assign(conn, { sent: new Float64Array(inflight), head: 0, tail: 0, onMessage });
    for (let i = 0; i < inflight; i++) {
      conn.sent[conn.tail] = performance.now();
      conn.tail = (conn.tail + 1) % inflight;
      run.outstanding++;
      conn.ws.send(data, opts);
    }
  }
  await sleep(warmupMs);
  return { conns: list.length };
}

async function echoMeasure({ durationMs }) {
  const run = echoRun;
  if (!run) throw new Error('echo not started');
  samples.reset();
  run.count = 0;
  run.measuring = true;
  const t0 = performance.now();
  await sleep(durationMs);
  const elapsed = performance.now() - t0;
  run.measuring = false;
  const { p50, p99 } = p50p99(samples.values());
  return { rate: (run.count / elapsed) * 1000, p50, p99, messages: run.count };
}

async function echoStop() {
  const run = echoRun;
  echoRun = null;
  if (!run) return {};
  run.running = false;
  // Let the last in-flight messages land (bounded) before closing.
  for (let i = 0; i < 100 && run.outstanding > 0; i++) await sleep(10);
  await closeAll(run.list);
  return {};
}

/** Round trips per window of the windowed p99 (see stats.windowedP99). */
const LATENCY_WINDOW = 1000;

/** One connection, one message in flight: pure round-trip latency. */
async function latency({ system, port, warmup, count, maxMs }) {
  const wire = wireOf(system);
  const { data, opts } = wire.frame(payload);
  const conn = await openOne(wire, port);
  samples.reset();
  const total = warmup + count;
  let done = 0;
  let sentAt = 0;
  const deadline = performance.now() + maxMs;
  await new Promise((resolve) => {
    conn.onMessage = () => {
      const now = performance.now();
      if (++done > warmup) samples.push(now - sentAt);
      if (done >= total || now > deadline) return resolve();
      sentAt = performance.now();
      conn.ws.send(data, opts);
    };
    sentAt = performance.now();
    conn.ws.send(data, opts);
    setTimeout(resolve, maxMs + 2000); // the server might stop answering
  });
  conn.onMessage = null;
  const { p50, p99 } = p50p99(samples.values());
  const p99w = windowedP99(samples.values(), LATENCY_WINDOW);
  await closeAll([conn]);
  return { p50, p99, p99w, messages: samples.n };
}

/**
 * Open `count` idle connections and keep them; the time gives the set-up rate.
 * With `ports` (cluster nodes) the connections are spread evenly over them.
 */
async function open({ system, port, ports, count, concurrency }) {
  if (held.length) await closeAll(held);
  held = [];
  const list = ports || [port];
  const started = performance.now();
  for (let i = 0; i < list.length; i++) {
    const n = Math.floor(count / list.length) + (i < count % list.length ? 1 : 0);
    const { conns } = await openMany(wireOf(system), list[i], n, concurrency, 120_000);
    held.push(...conns);
  }
  const ms = performance.now() - started;
  return { ms, rate: (count / ms) * 1000 };
}

/**
 * Start counting broadcast deliveries on the held connections. With
 * `timing`, each delivery's arrival time and its number on its connection
 * (messages arrive in order per connection) are kept, so `collect` can
 * give per-delivery latency from the server's send times.
 */
function arm({ perConn, total, timing }) {
  // `total`: deliveries expected over all held connections (messages for some connections only).
  const target = total !== undefined ? total : perConn * held.length;
  const at = timing ? new Float64Array(target) : null;
  const seq = timing ? new Int32Array(target) : null;
  armed = { target, received: 0, lastAt: 0, done: null, at, seq };
  const state = armed;
  const onMessage = () => {
    if (++state.received === state.target) {
      state.lastAt = wallNow();
      if (state.done) state.done();
    }
  };
  const onTimed = (conn) => {
    const i = state.received;
    if (i < target) {
      at[i] = wallNow();
      seq[i] = conn.k++;
    }
    onMessage();
  };
  for (const conn of held) {
    conn.k = 0;
    conn.onMessage = timing ? onTimed : onMessage;
  }
  return { target };
}

/** Wait (bounded) until every armed delivery arrived; with `sendTimes`, delivery latency p50/p99 (ms). */
async function collect({ timeoutMs, sendTimes }) {
  const state = armed;
  if (!state) throw new Error('not armed');
  if (state.received < state.target) {
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      state.done = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  armed = null;
  for (const conn of held) conn.onMessage = null;
  const result = { received: state.received, target: state.target, lastAt: state.lastAt || wallNow() };
  if (sendTimes && state.at) {
    const n = Math.min(state.received, state.target);
    const latencies = new Float64Array(n);
    for (let i = 0; i < n; i++) latencies[i] = state.at[i] - sendTimes[state.seq[i]];
    Object.assign(result, p50p99(latencies));
  }
  return result;
}

async function close() {
  await closeAll(held);
  held = [];
  return { closed: true };
}

serve({ echoStart, echoMeasure, echoStop, latency, open, arm, collect, close, cpu: cpuStamp });
ready();
