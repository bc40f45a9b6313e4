'use strict';
// Server child of the rooms/acks bench: `node bench/rooms/server.js <system>`.
// Each system puts a connection in the room named by its `?room=` query,
// answers the `sum` request with a + b, and echoes plain messages. Commands:
// `rooms` (every room gets one message per step), `plain` (one broadcast to
// everyone per step: the same deliveries as a rooms step), `cpu`.
const http = require('http');
const path = require('path');
const { serve, ready, fatal, cpuStamp } = require('../lib/ipc');

const DIST = path.join(__dirname, '..', '..', 'dist');
const HOUR = 3_600_000;
const name = process.argv[2];

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/** allspark kernel with the rooms and events plugins. */
async function allspark() {
  const a = require(DIST);
  const kernel = a
    .createKernel({ pathname: '/primus' })
    .use(a.websockets)
    .use(a.jsonParserPlugin)
    .use(a.heartbeat, { pingInterval: false })
    .use(a.rooms)
    .use(a.events);
  kernel.on('connection', (spark) => {
    const room = new URL(spark.request.url, 'http://x').searchParams.get('room');
    if (room) spark.join(room);
    spark.on('sum', (p) => p.a + p.b);
    spark.on('data', (d) => spark.write(d));
  });
  const server = await kernel.listen(0, '127.0.0.1');
  const rooms = a.roomsOf(kernel);
  return {
    port: server.address().port,
    roomWrite: (room, obj) => rooms.room(room).write(obj),
    broadcast: (obj) => kernel.write(obj),
  };
}

/** Socket.IO 4, websocket transport only, as its docs advise for rooms and acks. */
async function socketio() {
  const { Server } = require('socket.io');
  const server = http.createServer();
  const io = new Server(server, { transports: ['websocket'], serveClient: false, perMessageDeflate: false, pingInterval: HOUR, pingTimeout: HOUR });
  io.on('connection', (socket) => {
    const room = socket.handshake.query.room;
    if (room) socket.join(room);
    socket.on('sum', (p, cb) => cb(p.a + p.b));
    socket.on('message', (d) => socket.emit('message', d));
  });
  const port = await listen(server);
  return { port, roomWrite: (room, obj) => io.to(room).emit('message', obj), broadcast: (obj) => io.emit('message', obj) };
}

/** `count` steps, one per event-loop turn (so sockets flush between steps). */
function steps(count, step) {
  return new Promise((resolve) => {
    let done = 0;
    const next = () => {
      step(done);
      if (++done < count) setImmediate(next);
      else resolve();
    };
    next();
  });
}

(async () => {
  const system = await { allspark, socketio }[name]();
  serve({
    cpu: cpuStamp,
    rooms: ({ rooms, count, payload }) =>
      steps(count, () => {
        for (let r = 0; r < rooms; r++) system.roomWrite('r' + r, payload);
      }),
    plain: ({ count, payload }) => steps(count, () => system.broadcast(payload)),
  });
  ready({ port: system.port });
})().catch(fatal);
