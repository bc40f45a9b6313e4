'use strict';
// Client side of each server's wire format, as raw `ws` clients. A client
// does only what a real peer must (handshake, answer pings, frame messages)
// and never decodes payloads, so the generator's CPU per message stays low
// and equal across systems. Frames arrive as Buffers; we test leading bytes.
const path = require('path');

const DIST = path.join(__dirname, '..', '..', 'dist');
const TEXT = { binary: false };
const BINARY = { binary: true };

/** Most wires are ready when the WebSocket opens; Socket.IO needs its namespace connect. */
const onOpen = (ws, cb) => ws.once('open', cb);

/** Primus 8 text wire: one JSON value per frame; pings are `"primus::ping::<ms>"`. */
function primusText(pathname) {
  return {
    url: (port) => `ws://127.0.0.1:${port}${pathname}`,
    frame: (obj) => ({ data: Buffer.from(JSON.stringify(obj)), opts: TEXT }),
    ready: onOpen,
    // `"p…` is a control string (a payload object starts with `{`).
    isMessage(ws, data) {
      if (data[0] === 0x22 && data[1] === 0x70) {
        const s = JSON.parse(data.toString());
        if (s.startsWith('primus::ping::')) ws.send(JSON.stringify('primus::pong::' + s.slice(14)));
        return false;
      }
      return true;
    },
  };
}

/** Binary parsers: every frame is one encoded value; pings are disabled in these runs. */
function primusBinary(codecName) {
  return {
    url: (port) => `ws://127.0.0.1:${port}/primus?_primuscb=bench`,
    frame(obj) {
      const codecs = require(path.join(DIST, 'plugins/binary-parser'));
      const codec = codecName === 'msgpack' ? codecs.msgpackCodec : codecs.binaryPackCodec;
      return { data: Buffer.from(codec.encode(obj)), opts: BINARY };
    },
    ready: onOpen,
    isMessage: () => true,
  };
}

/** Engine.IO v4 + Socket.IO v5 packets over the websocket transport only. */
const socketIo = {
  url: (port) => `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
  frame: (obj) => ({ data: Buffer.from('42' + JSON.stringify(['message', obj])), opts: TEXT }),
  // Ready once the default namespace answered our `40` with `40{"sid":…}`.
  ready: (ws, cb) => ws.once('sio-connected', cb),
  isMessage(ws, data) {
    const c0 = data[0];
    if (c0 === 0x34 /* 4 */) {
      if (data[1] === 0x32 /* 2: event */) return true;
      if (data[1] === 0x30 /* 0: connect */) ws.emit('sio-connected');
      return false;
    }
    if (c0 === 0x30 /* 0: engine open */) ws.send('40');
    else if (c0 === 0x32 /* 2: engine ping */) ws.send('3');
    return false;
  },
};

/**
 * The Primus text wire with a resumable session per connection: a fresh
 * session request in the URL, and an acknowledgement every 32 messages, as
 * our client sends (which lets the server trim its history).
 */
function continuityText() {
  const base = primusText('/primus');
  let n = 0;
  return {
    ...base,
    // Session ids unique per run: a Redis store keeps sessions of earlier rounds.
    url: (port) => `ws://127.0.0.1:${port}/primus?_primuscb=bench&_continuity=1.b${process.pid}x${Date.now()}x${++n}.t${n}..0..1`,
    isMessage(ws, data) {
      if (!base.isMessage(ws, data)) return false;
      ws.received = (ws.received || 0) + 1;
      if (ws.received % 32 === 0) ws.send(JSON.stringify('primus::continuity.ack::' + ws.received));
      return true;
    },
  };
}

const wires = {
  ws: primusText('/primus?_primuscb=bench'),
  'ws-json': primusText('/primus?_primuscb=bench'),
  primus: primusText('/primus?_primuscb=bench'),
  'allspark-facade': primusText('/primus?_primuscb=bench'),
  'allspark-kernel': primusText('/primus?_primuscb=bench'),
  'baseline-facade': primusText('/primus?_primuscb=bench'),
  'baseline-kernel': primusText('/primus?_primuscb=bench'),
  'allspark-cluster': primusText('/primus?_primuscb=bench'),
  'allspark-msgpack': primusBinary('msgpack'),
  'allspark-binarypack': primusBinary('binarypack'),
  socketio: socketIo,
  'allspark-continuity': continuityText(),
  'allspark-continuity-redis': continuityText(),
  'socketio-redis': socketIo,
};

module.exports = { wires };
