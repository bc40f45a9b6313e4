'use strict';
// In-process cost of allspark's message path without sockets: a spark on a
// no-op transport receives a frame and its `data` handler writes it back
// (decode, control check, emit, encode, send), against the same work done by
// a ws+JSON handler. CPU-bound and single-threaded, so other processes
// barely disturb it; the difference is what the kernel adds per message.
const http = require('http');
const path = require('path');
const { message } = require('../lib/payload');

const DIST = path.join(__dirname, '..', '..', 'dist');
const durationMs = Number(process.argv[2]) || 300;

const { createKernel } = require(path.join(DIST, 'core'));
const { websockets } = require(path.join(DIST, 'transformers/websockets'));
const { jsonParserPlugin } = require(path.join(DIST, 'plugins/json-parser'));
const { heartbeat } = require(path.join(DIST, 'plugins/heartbeat'));

let sink = 0;
const transport = { send: (frame) => ((sink += frame.length), true), close() {} };
const kernel = createKernel().use(websockets).use(jsonParserPlugin).use(heartbeat, { pingInterval: false });
kernel.attach(http.createServer());
kernel.on('connection', (spark) => spark.on('data', (d) => spark.write(d)));
const request = { headers: {}, query: {}, url: '/primus', socket: {} };
const spark = kernel.connect({ transport, request, socket: null });
const frame = Buffer.from(JSON.stringify(message));

/** ns per call, timed in batches after a warm-up. */
function time(fn) {
  const run = (ms) => {
    let n = 0;
    const t0 = performance.now();
    let now = t0;
    while (now < t0 + ms) {
      for (let i = 0; i < 500; i++) fn();
      n += 500;
      now = performance.now();
    }
    return ((now - t0) * 1e6) / n;
  };
  run(durationMs / 3);
  return run(durationMs);
}

// Both start from the Buffer `ws` hands to its 'message' listeners.
setImmediate(() => {
  const wsJsonNs = time(() => transport.send(JSON.stringify(JSON.parse(frame.toString()))));
  const allsparkNs = time(() => spark.receive(frame.toString()));
  if (sink === -1) console.log(sink);
  const { user, system } = process.cpuUsage();
  process.send({ type: 'ready', results: { wsJsonNs, allsparkNs }, cpuMs: (user + system) / 1000 });
});
process.on('disconnect', () => process.exit(0));
