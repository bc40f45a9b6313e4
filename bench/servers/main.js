'use strict';
// Server child: `node --expose-gc bench/servers/main.js <system>`. Starts one
// system, reports its port, then answers the parent's measurement commands.
const { serve, ready, fatal, wallNow, cpuStamp } = require('../lib/ipc');
const systems = require('./systems');

const name = process.argv[2];
/** Extra arguments of a system (the cluster's node id). */
const extra = process.argv.slice(3);

/** Full GC twice (the second pass collects what finalizers freed), then memory. */
function measureMemory() {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/**
 * Broadcast `count` messages, one per event-loop turn so sockets get flushed
 * between broadcasts, as a server pushing a stream of updates would; with
 * `intervalMs`, one every `intervalMs` ms.
 */
function broadcast(send, count, intervalMs) {
  return new Promise((resolve) => {
    const startAt = wallNow();
    // When each message went out: the cross-node workload computes delivery latency from them.
    const times = [];
    let sent = 0;
    const step = () => {
      times.push(wallNow());
      send();
      if (++sent >= count) resolve({ startAt, endAt: wallNow(), times });
      else if (intervalMs) setTimeout(step, intervalMs);
      else setImmediate(step);
    };
    step();
  });
}

(async () => {
  const builder = systems[name];
  if (!builder) throw new Error(`unknown system ${name}`);
  const system = await builder(...extra);
  serve({
    mem: measureMemory,
    // Heap snapshot after GC (bench/profile.js --heap); returns the file path.
    snapshot: ({ dir, name }) => {
      global.gc();
      return require('v8').writeHeapSnapshot(require('path').join(dir, name));
    },
    cpu: cpuStamp,
    // `intervalMs`: paced (latency at a rate every system sustains) instead of one per turn.
    broadcast: ({ payload, count, intervalMs }) => broadcast(system.broadcaster(payload), count, intervalMs),
    // Cluster workload: this node's connection ids, and messages to some ids (on another node).
    ids: () => system.localIds(),
    sendTo: ({ ids, payload, count }) => broadcast(() => system.sendTo(ids, payload), count),
  });
  ready({ port: system.port });
})().catch(fatal);
