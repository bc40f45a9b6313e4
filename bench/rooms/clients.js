'use strict';
// Client child of the rooms/acks bench: raw `ws` clients speaking each
// server's wire (bench/gen/wire.js), joining room `r<i % rooms>`. Commands:
// `open`, `expect` (resolve once every client got `n` more messages),
// `requests` (round trips of the `sum` request on `conns` clients for
// `durationMs`), `close`.
const { serve, ready, fatal } = require('../lib/ipc');
const { openMany, closeAll } = require('../gen/conns');
const { wires } = require('../gen/wire');

/** Each system's wire with a room in the URL and its request/reply packets. */
function wireOf(system, room) {
  if (system === 'socketio') {
    const base = wires.socketio;
    return {
      ...base,
      url: (port) => `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&room=${room}`,
      // `42<id>["sum",…]` asks; the reply is `43<id>[…]`.
      request: (id, a, b) => `42${id}["sum",{"a":${a},"b":${b}}]`,
      isReply: (data) => data[0] === 0x34 && data[1] === 0x33,
      echo: (a, b) => `42["message",{"a":${a},"b":${b}}]`,
      isMessage(ws, data) {
        if (data[0] === 0x34 && data[1] === 0x33) return true;
        return base.isMessage(ws, data);
      },
    };
  }
  const base = wires['allspark-kernel'];
  return {
    ...base,
    url: (port) => `ws://127.0.0.1:${port}/primus?_primuscb=bench&room=${room}`,
    request: (id, a, b) => `{"type":0,"data":["sum",{"a":${a},"b":${b}}],"id":${id}}`,
    // `{"type":1,…`: two byte tests, as cheap as Socket.IO's `43` check, so neither system's clients lag.
    isReply: (data) => data[8] === 0x31 && data[2] === 0x74,
    echo: (a, b) => `{"a":${a},"b":${b}}`,
  };
}

const TEXT = { binary: false };
let conns = [];
let received = 0;
let waiter = null;

function onMessage() {
  received++;
  if (waiter !== null && received >= waiter.target) {
    const w = waiter;
    waiter = null;
    clearTimeout(w.timer);
    w.resolve({ received });
  }
}

serve({
  async open({ system, port, rooms, members }) {
    const opened = [];
    for (let r = 0; r < rooms; r++) {
      const { conns: some } = await openMany(wireOf(system, 'r' + r), port, members, members, 60_000);
      for (const c of some) c.onMessage = onMessage;
      opened.push(...some);
    }
    conns = opened;
    return { conns: conns.length };
  },
  expect({ n, timeoutMs }) {
    const target = received + n;
    return new Promise((resolve, reject) => {
      if (received >= target) return resolve({ received });
      waiter = { target, resolve, timer: setTimeout(() => reject(new Error(`got ${received}/${target} messages`)), timeoutMs) };
    });
  },
  /**
   * Each of `clients` connections keeps `inflight` requests (`kind: 'ack'`)
   * or plain echoed messages (`kind: 'echo'`) in flight for `durationMs`;
   * returns the round trips.
   */
  requests({ system, clients, durationMs, kind, inflight = 1 }) {
    const wire = wireOf(system, '');
    // Frames built once, as Buffers sent as text: building and encoding a string per message would cost the
    // clients more for the longer request than for the echo, and clients that answer later hand the server
    // smaller batches, which shows up as server CPU per round trip. Request ids cycle through 1..1024.
    const frames = kind === 'ack' ? Array.from({ length: 1024 }, (_, i) => Buffer.from(wire.request(i + 1, 1, 2))) : [Buffer.from(wire.echo(1, 2))];
    const send = (id) => frames[id % frames.length];
    const isReply = kind === 'ack' ? wire.isReply : () => true;
    const active = conns.slice(0, clients);
    return new Promise((resolve) => {
      let trips = 0;
      let running = true;
      let id = 0;
      for (const conn of active) {
        conn.onMessage = (c, data) => {
          if (!isReply(data)) return;
          trips++;
          if (running) c.ws.send(send(++id), TEXT);
        };
        for (let i = 0; i < inflight; i++) conn.ws.send(send(++id), TEXT);
      }
      setTimeout(() => {
        running = false;
        for (const conn of active) conn.onMessage = onMessage;
        // Let the last replies in flight land before the next command.
        setTimeout(() => resolve({ trips }), 200);
      }, durationMs);
    });
  },
  async close() {
    await closeAll(conns);
    conns = [];
    return {};
  },
});
ready();
