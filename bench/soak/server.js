'use strict';
// The server under soak: the Primus facade on websockets (heartbeats every
// 30 s), echoing every message, broadcasting every 2 s, and flooding
// every spark that asks for it (`"flood"`: 256 KiB every 50 ms, ignoring
// `write() === false`) so slow consumers meet `maxBuffered`. Sampled by the
// runner over IPC; `finish` checks nothing leaked once every client is gone.
const http = require('http');
const path = require('path');
const { performance } = require('perf_hooks');
const { serve, ready, fatal } = require('../lib/ipc');

const { Primus } = require(path.join(__dirname, '..', '..', 'dist'));

const FLOOD_CHUNK = 'f'.repeat(256 * 1024);
const FLOOD_EVERY_MS = 50;
const BROADCAST_EVERY_MS = 2000;
/** How often the event-loop lag is measured (ms). */
const LAG_EVERY_MS = 50;
/** Log codes the workload causes on purpose (slow consumers are closed at the cap). */
const EXPECTED = new Set(['ALLSPARK_BUFFER_FULL']);

/**
 * Active resources (handles, requests, timers) beyond `baseline`, by type:
 * what the server left behind. `baseline` holds what the process had before
 * the server existed (its IPC channel, stdio).
 */
function leftSince(baseline) {
  const left = [...process.getActiveResourcesInfo()];
  for (const type of baseline) {
    const i = left.indexOf(type);
    if (i !== -1) left.splice(i, 1);
  }
  return left;
}
const counts = { errors: 0, slowClosed: 0, connections: 0, disconnections: 0, broadcasts: 0 };
const errorSamples = [];
const floods = new Map();

/**
 * Event-loop lag: how late a timer due every `every` ms fires, per window
 * (between samples). A plain timer rather than `monitorEventLoopDelay`, whose
 * histogram came back empty on a machine this loaded.
 */
class LoopLag {
  constructor(every) {
    this.every = every;
    this.lags = [];
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lags.push(Math.max(0, now - this.last - every));
      this.last = now;
    }, every);
  }

  /** p50, p99 and max of the window (ms), then start a new one. */
  take() {
    const sorted = this.lags.sort((a, b) => a - b);
    const at = (q) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    const figures = { delayP50: at(0.5), delayP99: at(0.99), delayMax: sorted.length === 0 ? 0 : sorted[sorted.length - 1] };
    this.lags = [];
    return figures;
  }

  /** Start the window now (after our own work, which is not the server's lag). */
  restart() {
    this.lags = [];
    this.last = performance.now();
  }

  stop() {
    clearInterval(this.timer);
  }
}

const lag = new LoopLag(LAG_EVERY_MS);

function onLog(level, entry) {
  if (level !== 'error') return;
  if (entry && EXPECTED.has(entry.code)) {
    counts.slowClosed++;
    return;
  }
  counts.errors++;
  if (errorSamples.length < 20) errorSamples.push(String((entry && entry.stack) || entry));
}

function flood(spark) {
  if (floods.has(spark)) return;
  floods.set(
    spark,
    setInterval(() => spark.write(FLOOD_CHUNK), FLOOD_EVERY_MS),
  );
}

function stopFlood(spark) {
  clearInterval(floods.get(spark));
  floods.delete(spark);
}

async function main() {
  // The process's own: stdio streams (made on first use) and the IPC channel (active once listened to).
  void process.stdout;
  void process.stderr;
  process.channel?.ref();
  const baseline = process.getActiveResourcesInfo();
  const server = http.createServer();
  // A 1 MiB cap (the high-water mark): slow consumers are cut off quickly and hold little while they last.
  const primus = new Primus(server, { transformer: 'websockets', pingInterval: 30_000, maxBuffered: 1 << 20 });
  primus.on('log', onLog);
  primus.on('connection', (spark) => {
    counts.connections++;
    spark.on('data', (data) => (data === 'flood' ? flood(spark) : spark.write(data)));
    spark.on('end', () => stopFlood(spark));
  });
  primus.on('disconnection', () => counts.disconnections++);
  let n = 0;
  const broadcaster = setInterval(() => {
    counts.broadcasts++;
    primus.write({ b: n++ });
  }, BROADCAST_EVERY_MS);
  // Node's default accept backlog (511) overflows while a starved server stalls for seconds with
  // thousands reconnecting; the kernel then resets connections it could not queue. 10,000 clients
  // call for the system's maximum, as a production server of that size would.
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));

  serve({
    sample() {
      const loop = lag.take();
      // After a full collection, so samples compare what is retained, not when V8 last collected.
      global.gc?.();
      const m = process.memoryUsage();
      // Our own collection's pause is not the server's lag: the next window starts after it.
      lag.restart();
      const figures = {
        ...loop,
        rss: m.rss,
        heapUsed: m.heapUsed,
        external: m.external,
        connected: primus.connected,
        resources: leftSince(baseline).length,
        ...counts,
      };
      return figures;
    },
    /** Once the generator closed everything: the table must empty, then every handle must close. */
    async finish() {
      clearInterval(broadcaster);
      const deadline = Date.now() + 30_000;
      while (primus.connected > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const connectedAfterClients = primus.connected;
      const floodsLeft = floods.size;
      await new Promise((resolve) => primus.destroy({ close: true }, resolve));
      lag.stop();
      // Sockets closed just now release their handles a tick or two later.
      const handlesDeadline = Date.now() + 10_000;
      while (leftSince(baseline).length > 0 && Date.now() < handlesDeadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      return {
        connectedAfterClients,
        floodsLeft,
        resourcesLeft: leftSince(baseline),
        errors: counts.errors,
        slowClosed: counts.slowClosed,
        errorSamples,
      };
    },
  });
  ready({ port: server.address().port });
}

process.on('uncaughtException', fatal);
main().catch(fatal);
