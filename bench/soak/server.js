'use strict';
// The server under soak: the Primus facade on websockets (heartbeats every
// 10 s), echoing every message, broadcasting once a second, and flooding
// every spark that asks for it (`"flood"`: 64 KiB every 50 ms, ignoring
// `write() === false`) so slow consumers meet `maxBuffered`. Sampled by the
// runner over IPC; `finish` checks nothing leaked once every client is gone.
const http = require('http');
const path = require('path');
const { monitorEventLoopDelay } = require('perf_hooks');
const { serve, ready, fatal } = require('../lib/ipc');

const { Primus } = require(path.join(__dirname, '..', '..', 'dist'));

const FLOOD_CHUNK = 'f'.repeat(64 * 1024);
const FLOOD_EVERY_MS = 50;
const BROADCAST_EVERY_MS = 1000;
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
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const counts = { errors: 0, slowClosed: 0, connections: 0, disconnections: 0, broadcasts: 0 };
const errorSamples = [];
const floods = new Map();

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
  const primus = new Primus(server, { transformer: 'websockets', pingInterval: 10_000, maxBuffered: 1 << 20 });
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
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  serve({
    sample() {
      const loop = { delayP50: delay.percentile(50) / 1e6, delayP99: delay.percentile(99) / 1e6, delayMax: delay.max / 1e6 };
      // After a full collection, so samples compare what is retained, not when V8 last collected.
      global.gc?.();
      const m = process.memoryUsage();
      // Our own collection's pause is not the server's delay: start the next window once it is over.
      setTimeout(() => delay.reset(), 30);
      const figures = {
        ...loop,
        rss: m.rss,
        heapUsed: m.heapUsed,
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
      delay.disable();
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
        errorSamples,
      };
    },
  });
  ready({ port: server.address().port });
}

process.on('uncaughtException', fatal);
main().catch(fatal);
