'use strict';
// Cross-node broadcast: three server nodes on one Redis, clients spread
// evenly over them, node 0 broadcasts. allspark's cluster plugin against
// Socket.IO 4 with @socket.io/redis-adapter, on the same setup in one run.
const path = require('path');
const { start } = require('../lib/child');
const { stat, busyPercent } = require('../lib/sysload');
const os = require('os');

const payload = () => require('../lib/payload').message;
const NODES = 3;

/** Server CPU ms of each node and the machine's counters at one moment. */
async function marks(servers) {
  return { cpu: await Promise.all(servers.map((s) => s.request('cpu'))), m: stat() };
}

/**
 * Messages for sparks on one node only: node 0 sends `count` messages to 10
 * of node 1's connections. Node 2 has none of them; its CPU per message is
 * what a node pays for messages that are not for it.
 */
async function sendToOneNode(servers, gen, c) {
  const ids = (await servers[1].request('ids')).slice(0, 10);
  await gen.request('arm', { total: ids.length * c.count });
  const a = await marks(servers);
  await servers[0].request('sendTo', { ids, payload: payload(), count: c.count }, c.timeoutMs);
  const got = await gen.request('collect', { timeoutMs: c.timeoutMs }, c.timeoutMs + 5000);
  const b = await marks(servers);
  if (got.received < got.target) throw new Error(`targeted send: only ${got.received}/${got.target} deliveries`);
  const us = (i) => ((b.cpu[i].cpuMs - a.cpu[i].cpuMs) * 1000) / c.count;
  return { targetNodeCpuUs: us(1), bystanderCpuUs: us(2) };
}

const clusterBroadcast = {
  name: 'cluster',
  async run(ctx, system) {
    const c = ctx.config.cluster;
    const gen = ctx.gen;
    const servers = [];
    try {
      // Nodes share core 0 as the single-node servers do; Redis floats; the generator has core 1.
      for (let i = 0; i < NODES; i++) {
        servers.push(
          await start(path.join(__dirname, '..', 'servers', 'main.js'), [system, `bench-${process.pid}-${Date.now()}-${i}`], {
            core: 0,
            nodeArgs: ['--expose-gc'],
            label: `server ${system} #${i}`,
          }),
        );
      }
      const ports = servers.map((s) => s.info.port);
      await gen.request('open', { system, ports, count: c.clients, concurrency: 100 }, 130_000);
      const shot = async (count, timing, intervalMs) => {
        await gen.request('arm', { perConn: count, timing });
        const { startAt, times } = await servers[0].request('broadcast', { payload: payload(), count, intervalMs }, c.timeoutMs);
        const got = await gen.request('collect', { timeoutMs: c.timeoutMs, sendTimes: timing ? times : undefined }, c.timeoutMs + 5000);
        return { startAt, ...got };
      };
      await shot(c.warmup, false);
      const a = await marks(servers);
      const r = await shot(c.count, false);
      const b = await marks(servers);
      if (r.received < r.target) throw new Error(`only ${r.received}/${r.target} deliveries`);
      // Latency at a pace both systems sustain: a burst measures queueing behind the fastest sender instead.
      const paced = await shot(c.paced.count, true, c.paced.intervalMs);
      const targeted = await sendToOneNode(servers, gen, c);
      const cpuMs = b.cpu.map((x, i) => x.cpuMs - a.cpu[i].cpuMs);
      const wall = b.cpu[0].wall - a.cpu[0].wall;
      const machine = busyPercent(a.m, b.m, os.cpus().length);
      const serverCpu = (100 * cpuMs.reduce((x, y) => x + y, 0)) / wall;
      return {
        rate: (r.received / (r.lastAt - r.startAt)) * 1000,
        p50: paced.p50,
        p99: paced.p99,
        messages: r.received,
        // Server CPU µs per delivery, all nodes together, and the publishing node's share.
        cpuUs: (cpuMs.reduce((x, y) => x + y, 0) * 1000) / r.received,
        publisherCpuUs: (cpuMs[0] * 1000) / r.received,
        serverCpu,
        otherCpu: machine === undefined ? undefined : Math.max(0, machine - serverCpu),
        ...targeted,
      };
    } finally {
      await gen.request('close', {}, 30_000).catch(() => undefined);
      await Promise.all(servers.map((s) => s.stop()));
    }
  },
};

module.exports = { clusterBroadcast };
