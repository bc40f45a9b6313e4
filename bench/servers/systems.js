'use strict';
// The servers under test. Each builder listens on 127.0.0.1:0, echoes every
// message back to its sender, and returns `broadcaster(obj)`, which prepares
// what the system would prepare once and returns the per-broadcast function.
// Heartbeats are disabled or set to an hour so they never show in figures.
const http = require('http');
const path = require('path');

const DIST = path.join(__dirname, '..', '..', 'dist');
// Another build of allspark (say main's dist/) run beside this one as `baseline-*`: before/after in one run.
const BASELINE_DIST = process.env.BENCH_BASELINE_DIST;
const HOUR = 3_600_000;

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/** Raw `ws`, written as a careful user would: no compression, own client set. */
function rawWs(json) {
  return async () => {
    const { WebSocketServer } = require('ws');
    const server = http.createServer();
    const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });
    const clients = new Set();
    const TEXT = { binary: false };
    wss.on('connection', (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      if (json) {
        // The floor of any JSON protocol: one parse and one stringify per message.
        ws.on('message', (data) => ws.send(JSON.stringify(JSON.parse(data.toString()))));
      } else {
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      }
    });
    const port = await listen(server);
    const broadcaster = (obj) => {
      // Raw ws sends bytes it already has; ws+JSON stringifies once per broadcast.
      const ready = Buffer.from(JSON.stringify(obj));
      return json
        ? () => {
            const frame = Buffer.from(JSON.stringify(obj));
            for (const ws of clients) ws.send(frame, TEXT);
          }
        : () => {
            for (const ws of clients) ws.send(ready, TEXT);
          };
    };
    return { port, broadcaster };
  };
}

/** A Primus-API server (the real primus@8 or allspark's facade). */
function primusApi(loadPrimus, parser = 'json') {
  return async () => {
    const Primus = loadPrimus();
    const server = http.createServer();
    const primus = new Primus(server, { transformer: 'websockets', parser, pingInterval: false });
    primus.on('connection', (spark) => spark.on('data', (d) => spark.write(d)));
    const port = await listen(server);
    return { port, broadcaster: (obj) => () => primus.write(obj) };
  };
}

function loadFacade(dist = DIST) {
  const m = require(dist);
  const Primus = typeof m === 'function' ? m : m.Primus || m.default;
  if (typeof Primus !== 'function') throw new Error('dist/index.js does not export the Primus facade yet');
  return Primus;
}

/** Socket.IO 4, websocket transport only; `adapter` for the Redis variant. */
async function socketIo(adapter) {
  const { Server } = require('socket.io');
  const server = http.createServer();
  const io = new Server(server, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    pingInterval: HOUR,
    pingTimeout: HOUR,
    ...(adapter ? { adapter } : {}),
  });
  io.on('connection', (socket) => socket.on('message', (d) => socket.emit('message', d)));
  const port = await listen(server);
  return {
    port,
    broadcaster: (obj) => () => io.emit('message', obj),
    localIds: () => [...io.of('/').sockets.keys()],
    sendTo: (ids, obj) => io.to(ids).emit('message', obj),
  };
}

/** The parser plugin for a kernel variant; binary ones come from the binary-parser package. */
function parserPlugin(kind, dist = DIST) {
  if (kind === 'json') return require(path.join(dist, 'plugins/json-parser')).jsonParserPlugin;
  const bin = require(path.join(dist, 'plugins/binary-parser'));
  const plugin = kind === 'msgpack' ? bin.msgpackParser : bin.binaryParser;
  if (!plugin) throw new Error(`binary-parser has no ${kind} plugin`);
  return plugin;
}

/** allspark with nothing but createKernel() and its plugins (`extra`: more plugins, e.g. continuity; `dist`: another build). */
function kernel(kind, extra = () => [], dist = DIST) {
  return async () => {
    const { createKernel } = require(path.join(dist, 'core'));
    const { websockets } = require(path.join(dist, 'transformers/websockets'));
    const { heartbeat } = require(path.join(dist, 'plugins/heartbeat'));
    const k = createKernel({ pathname: '/primus' })
      .use(websockets)
      .use(parserPlugin(kind, dist))
      .use(heartbeat, { pingInterval: false });
    for (const [plugin, options] of extra()) k.use(plugin, options);
    k.on('connection', (spark) => spark.on('data', (d) => spark.write(d)));
    const server = await k.listen(0, '127.0.0.1');
    return { port: server.address().port, broadcaster: (obj) => () => k.write(obj) };
  };
}

/**
 * The JSON kernel with the cluster plugin on the run's Redis (BENCH_REDIS):
 * one of several nodes in the cross-node broadcast, alone in the echo.
 */
async function clusterKernel(nodeId, extra = () => []) {
  const { cluster, clusterOf } = require(path.join(DIST, 'plugins/cluster'));
  const { createKernel } = require(path.join(DIST, 'core'));
  const { websockets } = require(path.join(DIST, 'transformers/websockets'));
  const { heartbeat } = require(path.join(DIST, 'plugins/heartbeat'));
  if (!process.env.BENCH_REDIS) throw new Error('BENCH_REDIS is not set (no redis-server)');
  const k = createKernel({ pathname: '/primus' })
    .use(websockets)
    .use(parserPlugin('json'))
    .use(heartbeat, { pingInterval: false })
    .use(cluster, { redis: process.env.BENCH_REDIS, nodeId: nodeId || undefined });
  for (const [plugin, options] of extra()) k.use(plugin, options);
  const service = clusterOf(k);
  await service.ready(10_000);
  k.on('connection', (spark) => spark.on('data', (d) => spark.write(d)));
  const server = await k.listen(0, '127.0.0.1');
  return {
    port: server.address().port,
    broadcaster: (obj) => () => k.write(obj),
    localIds: () => [...k.connections.keys()],
    sendTo: (ids, obj) => service.sendMany(ids, obj),
  };
}

/** Socket.IO 4 with @socket.io/redis-adapter (ioredis pub/sub) on the run's Redis. */
function socketIoRedis() {
  const { createAdapter } = require('@socket.io/redis-adapter');
  const { Redis } = require('ioredis');
  if (!process.env.BENCH_REDIS) throw new Error('BENCH_REDIS is not set (no redis-server)');
  const pub = new Redis(process.env.BENCH_REDIS);
  return socketIo(createAdapter(pub, pub.duplicate()));
}

module.exports = {
  'allspark-cluster': clusterKernel,
  // Resumable sessions on the Redis Streams store (the default once the cluster plugin is there).
  'allspark-continuity-redis': () => clusterKernel('', () => [[require(path.join(DIST, 'plugins/continuity')).continuity, {}]]),
  'socketio-redis': socketIoRedis,
  ws: rawWs(false),
  'ws-json': rawWs(true),
  primus: primusApi(() => require('primus')),
  socketio: () => socketIo(),
  'allspark-facade': primusApi(loadFacade),
  'allspark-kernel': kernel('json'),
  'allspark-msgpack': kernel('msgpack'),
  'allspark-binarypack': kernel('binarypack'),
  // Resumable sessions on every connection (the generator asks for one), in-memory store.
  'allspark-continuity': kernel('json', () => [[require(path.join(DIST, 'plugins/continuity')).continuity, {}]]),
  ...(BASELINE_DIST && {
    'baseline-facade': primusApi(() => loadFacade(path.resolve(BASELINE_DIST))),
    'baseline-kernel': kernel('json', () => [], path.resolve(BASELINE_DIST)),
  }),
};
