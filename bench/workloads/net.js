'use strict';
// Network workloads, driven from the parent: each run starts a fresh server
// child (so no run inherits another's heap or sockets), drives the generator,
// and always stops the server, also on error.
const os = require('os');
const { stat, busyPercent } = require('../lib/sysload');

// Required when used: run.js picks the payload (BENCH_PAYLOAD) after loading this module.
const payload = () => require('../lib/payload').message;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU clocks of server, generator and machine at one moment. */
async function mark(server, gen) {
  const [s, g] = await Promise.all([server.request('cpu'), gen.request('cpu')]);
  return { s, g, m: stat() };
}

/**
 * CPU use between two marks: % of a core for server and generator, what all
 * other processes used meanwhile, and the server's CPU ms (which, divided by
 * messages, gives a cost per message that other load barely disturbs).
 */
function usage(a, b) {
  const pct = (x, y) => (100 * (y.cpuMs - x.cpuMs)) / (y.wall - x.wall);
  const serverCpu = pct(a.s, b.s);
  const genCpu = pct(a.g, b.g);
  const machine = busyPercent(a.m, b.m, os.cpus().length);
  const otherCpu = machine === undefined ? undefined : Math.max(0, machine - serverCpu - genCpu);
  return { serverCpu, genCpu, otherCpu, serverCpuMs: b.s.cpuMs - a.s.cpuMs };
}

/**
 * Run `body(server, port, window)` against a fresh server of `system`.
 * `window(fn)` runs the measured part between two CPU marks; without it
 * the whole body is the window.
 */
async function withServer(ctx, system, body) {
  const server = await ctx.startServer(system);
  let cpu;
  const window = async (fn) => {
    const a = await mark(server, ctx.gen);
    const r = await fn();
    cpu = usage(a, await mark(server, ctx.gen));
    return r;
  };
  try {
    const result = await body(server, server.info.port, window);
    const { serverCpuMs, ...rest } = cpu;
    return { ...result, ...rest, serverCpuMs };
  } finally {
    await server.stop();
  }
}

/** Echo throughput; `cpuUs` is server CPU µs per echoed message. */
const echo = {
  name: 'echo',
  run(ctx, system) {
    const c = ctx.config.echo;
    const gen = ctx.gen;
    return withServer(ctx, system, async (_, port, window) => {
      await gen.request('echoStart', { system, port, ...c }, c.warmupMs + 30_000);
      try {
        return await window(() => gen.request('echoMeasure', c, c.durationMs + 10_000));
      } finally {
        await gen.request('echoStop', {}, 30_000);
      }
    }).then(perMessage);
  },
};

const latency = {
  name: 'latency',
  run(ctx, system) {
    const c = ctx.config.latency;
    return withServer(ctx, system, (_, port, window) =>
      window(() => ctx.gen.request('latency', { system, port, ...c }, c.maxMs + 15_000)),
    ).then(({ serverCpuMs, ...r }) => r);
  },
};

/**
 * Broadcast fan-out: `clients` idle connections, the server broadcasts
 * `count` messages; deliveries/s from the server's first send to the
 * generator's last receipt (wall clocks of one machine).
 */
const broadcast = {
  name: 'broadcast',
  run(ctx, system) {
    const c = ctx.config.broadcast;
    const gen = ctx.gen;
    return withServer(ctx, system, async (server, port, window) => {
      await gen.request('open', { system, port, count: c.clients, concurrency: 100 }, 130_000);
      try {
        const shot = async (count) => {
          await gen.request('arm', { perConn: count });
          const { startAt } = await server.request('broadcast', { payload: payload(), count }, c.timeoutMs);
          const got = await gen.request('collect', { timeoutMs: c.timeoutMs }, c.timeoutMs + 5000);
          return { startAt, ...got };
        };
        await shot(c.warmup); // JIT and socket buffers warm
        const r = await window(() => shot(c.count));
        if (r.received < r.target) throw new Error(`only ${r.received}/${r.target} deliveries`);
        return { rate: (r.received / (r.lastAt - r.startAt)) * 1000, messages: r.received };
      } finally {
        await gen.request('close', {}, 30_000);
      }
    }).then(perMessage);
  },
};

/** Server CPU µs per message (echo) or per delivery (broadcast). */
function perMessage(r) {
  const { serverCpuMs, ...rest } = r;
  return { ...rest, cpuUs: (serverCpuMs * 1000) / r.messages };
}

/**
 * Memory per idle connection, and the connection set-up rate of opening
 * them: memory after GC in the server before and after `count` connections.
 */
const memory = {
  name: 'memory',
  run(ctx, system) {
    const c = ctx.config.memory;
    const gen = ctx.gen;
    return withServer(ctx, system, async (server, port, window) => {
      // Warm-up connections first: lazy module loads and JIT in both processes
      // are then neither in the baseline delta nor in the set-up rate.
      await gen.request('open', { system, port, count: c.warm, concurrency: 100 }, 60_000);
      await gen.request('close', {}, 30_000);
      await sleep(200);
      const before = await server.request('mem');
      const opened = await window(() =>
        gen.request('open', { system, port, count: c.count, concurrency: 100 }, 130_000),
      );
      try {
        await sleep(c.idleMs); // let lazy per-connection work (timers, buffers) settle
        const after = await server.request('mem');
        const per = (k) => (after[k] - before[k]) / c.count;
        return {
          rssPerConn: per('rss'),
          heapPerConn: per('heapUsed'),
          externalPerConn: per('external'),
          connectRate: opened.rate,
        };
      } finally {
        await gen.request('close', {}, 30_000);
      }
    }).then(({ serverCpuMs, ...r }) => ({ ...r, connectCpuUs: (serverCpuMs * 1000) / c.count }));
  },
};

module.exports = { echo, latency, broadcast, memory };
