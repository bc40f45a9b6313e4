'use strict';
// Workload sizes. The default run takes about 7 minutes on 2 cores (5 without the Redis systems); --quick
// is for development (well under a minute, one round, smaller loads).

const SYSTEMS = ['ws', 'ws-json', 'primus', 'socketio', 'allspark-facade', 'allspark-kernel'];
// BENCH_BASELINE_DIST=<another build's dist/> adds that build as `baseline-facade` and `baseline-kernel`.
if (process.env.BENCH_BASELINE_DIST) SYSTEMS.push('baseline-facade', 'baseline-kernel');
const BINARY = ['allspark-msgpack', 'allspark-binarypack'];
const FOOTPRINT = ['ws', 'allspark-kernel', 'primus', 'socketio', 'allspark-facade'];
// The kernel with resumable sessions (in-memory store), against allspark-kernel in the same run.
const CONTINUITY = ['allspark-continuity'];
// The same on the Redis Streams store (cluster plugin + continuity, one node): figures beside, no target.
const CONTINUITY_REDIS = ['allspark-continuity-redis'];
// Need a redis-server (the run starts its own): the cluster plugin on one node in the echo, and the
// cross-node broadcast of three nodes against Socket.IO with its Redis adapter.
const CLUSTER_ECHO = ['allspark-cluster'];
const CLUSTER = ['allspark-cluster', 'socketio-redis'];

const full = {
  rounds: 3,
  // Before each measurement wait up to quietMs for other processes to calm down, at most quietBudgetMs in all.
  quietMs: 3000,
  quietBudgetMs: 20_000,
  // A figure taken while other processes used more than noisyCpu % of a core is re-taken, within retryBudgetMs.
  noisyCpu: 25,
  retryBudgetMs: 40_000,
  echo: { conns: 100, inflight: 10, warmupMs: 500, durationMs: 1500 },
  // 30 windows of 1,000 round trips: the median window outvotes bursts of other work.
  latency: { warmup: 1000, count: 30_000, maxMs: 7000 },
  broadcast: { clients: 2000, warmup: 10, count: 100, timeoutMs: 30_000 },
  // Clients spread evenly over three nodes; node 0 broadcasts.
  cluster: { clients: 1500, warmup: 10, count: 100, timeoutMs: 30_000, paced: { count: 40, intervalMs: 100 } },
  memory: { count: 5000, warm: 300, idleMs: 500 },
  footprint: { repeats: 3 },
  codec: { durationMs: 300 },
};

const quick = {
  rounds: 1,
  quietMs: 1000,
  quietBudgetMs: 5000,
  noisyCpu: 50,
  retryBudgetMs: 5000,
  echo: { conns: 100, inflight: 10, warmupMs: 300, durationMs: 700 },
  latency: { warmup: 300, count: 1500, maxMs: 700 },
  broadcast: { clients: 1000, warmup: 5, count: 30, timeoutMs: 15_000 },
  cluster: { clients: 600, warmup: 5, count: 30, timeoutMs: 15_000, paced: { count: 10, intervalMs: 100 } },
  memory: { count: 1500, warm: 100, idleMs: 300 },
  footprint: { repeats: 1 },
  codec: { durationMs: 100 },
};

module.exports = { full, quick, SYSTEMS, BINARY, FOOTPRINT, CONTINUITY, CONTINUITY_REDIS, CLUSTER_ECHO, CLUSTER };
