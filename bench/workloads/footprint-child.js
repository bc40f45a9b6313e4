'use strict';
// Footprint child: `node --expose-gc footprint-child.js <system>`. Measures
// time from process start (performance.now() counts from it) and from the
// first `require` to listening, then idle RSS/heap after GC. Nothing but the
// server is loaded before the clock starts: the IPC helpers are inlined.
const requireStart = performance.now();
const http = require('http');
const path = require('path');

const DIST = path.join(__dirname, '..', '..', 'dist');

const systems = {
  ws() {
    const { WebSocketServer } = require('ws');
    const server = http.createServer();
    new WebSocketServer({ server, perMessageDeflate: false }).on('connection', (ws) => ws.on('message', (d) => ws.send(d)));
    return listen(server);
  },
  primus() {
    const Primus = require('primus');
    const server = http.createServer();
    new Primus(server, { transformer: 'websockets', parser: 'json' }).on('connection', echoSpark);
    return listen(server);
  },
  socketio() {
    const { Server } = require('socket.io');
    const server = http.createServer();
    new Server(server, { transports: ['websocket'], serveClient: false }).on('connection', (s) =>
      s.on('message', (d) => s.emit('message', d)),
    );
    return listen(server);
  },
  'allspark-facade'() {
    const m = require(DIST);
    const Primus = typeof m === 'function' ? m : m.Primus || m.default;
    const server = http.createServer();
    new Primus(server, { transformer: 'websockets', parser: 'json' }).on('connection', echoSpark);
    return listen(server);
  },
  // The minimal kernel: the websockets transformer and the JSON parser, nothing else.
  'allspark-kernel'() {
    const { createKernel } = require(path.join(DIST, 'core'));
    const { websockets } = require(path.join(DIST, 'transformers/websockets'));
    const { jsonParserPlugin } = require(path.join(DIST, 'plugins/json-parser'));
    const k = createKernel().use(websockets).use(jsonParserPlugin);
    k.on('connection', echoSpark);
    return k.listen(0, '127.0.0.1');
  },
};

function echoSpark(spark) {
  spark.on('data', (d) => spark.write(d));
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

systems[process.argv[2]]()
  .then(() => {
    const listening = performance.now();
    // Idle a moment so start-up garbage is collectable, then measure after GC.
    setTimeout(() => {
      global.gc();
      global.gc();
      const m = process.memoryUsage();
      process.send({
        type: 'ready',
        startMs: listening,
        requireMs: listening - requireStart,
        rss: m.rss,
        heapUsed: m.heapUsed,
      });
    }, 200);
  })
  .catch((err) => {
    process.send({ type: 'fatal', error: String(err && err.stack) });
    process.exit(1);
  });
process.on('disconnect', () => process.exit(0));
