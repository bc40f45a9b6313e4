'use strict';
// The soak's load generator, a child of run.js: raw `ws` clients speaking
// the Primus text wire (answer pings, one JSON value per frame), each with
// a role (by index):
//   0.2 % slow:     asks the server to flood it and never reads; the server
//                   closes it at maxBuffered; after 15 s it drops its end
//                   and connects again
//   2 %   reset:    after 5–15 s destroys its socket abruptly (RST), reconnects
//   10 %  churn:    after 5–15 s closes cleanly, reconnects
//   ~44 % echo:     sends a message every 2–4 s and expects it back within 10 s
//   ~44 % listener: only receives (every client counts the 1/s broadcasts)
// Anything else that goes wrong counts as an error.
const WebSocket = require('ws');
const { serve, ready } = require('../lib/ipc');

const ECHO_TIMEOUT_MS = 10_000;
/** How long a slow consumer stays connected without reading (the server should cut it off well before). */
const SLOW_PAUSE_MS = 15_000;
const RAMP_BATCH = 250;

const rand = (min, max) => min + Math.random() * (max - min);

function roleOf(i) {
  const r = i % 100;
  if (i % 500 === 0) return 'slow';
  if (r === 49 || r === 99) return 'reset';
  if (r % 10 === 5) return 'churn';
  return r % 2 === 0 ? 'echo' : 'listener';
}

const stats = { opened: 0, open: 0, echoes: 0, broadcasts: 0, resets: 0, churns: 0, slowCycles: 0, errors: 0 };
const errorSamples = [];
const clients = [];
let url;
let stopping = false;

function error(what) {
  stats.errors++;
  if (errorSamples.length < 20) errorSamples.push(what);
}

class SoakClient {
  constructor(index) {
    this.index = index;
    this.role = roleOf(index);
    this.ws = null;
    this.timer = null;
    this.seq = 0;
    this.waiting = 0;
    this.sentAt = 0;
    this.leaving = false;
  }

  connect() {
    if (stopping) return Promise.resolve();
    this.leaving = false;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws = ws;
    return new Promise((resolve) => {
      ws.on('open', () => {
        stats.opened++;
        stats.open++;
        this.started();
        resolve();
      });
      ws.on('message', (data) => this.receive(ws, data));
      ws.on('error', (err) => {
        if (!this.expectsTrouble()) error(`${this.role} #${this.index}: ${err.code || err.message}`);
      });
      ws.on('close', () => {
        if (this.ws === ws) this.closed(ws);
        resolve();
      });
    });
  }

  /** Slow consumers are cut off by the server and reset clients cut themselves off: errors there are the point. */
  expectsTrouble() {
    return this.leaving || stopping || this.role === 'slow' || this.role === 'reset';
  }

  started() {
    const ws = this.ws;
    if (this.role === 'slow') {
      ws.send('"flood"');
      ws._socket.pause();
      // A paused socket never sees the server's close: drop our end after a while, then come back.
      this.timer = setTimeout(() => ws.terminate(), SLOW_PAUSE_MS);
    } else if (this.role === 'reset') {
      this.timer = setTimeout(() => {
        this.leaving = true;
        stats.resets++;
        if (typeof ws._socket.resetAndDestroy === 'function') ws._socket.resetAndDestroy();
        else ws._socket.destroy();
      }, rand(5000, 15000));
    } else if (this.role === 'churn') {
      this.timer = setTimeout(() => {
        this.leaving = true;
        stats.churns++;
        ws.close();
      }, rand(5000, 15000));
    } else if (this.role === 'echo') {
      this.timer = setTimeout(() => this.echo(), rand(0, 3000));
    }
  }

  echo() {
    const ws = this.ws;
    if (stopping || ws.readyState !== WebSocket.OPEN) return;
    if (this.waiting !== 0 && Date.now() - this.sentAt > ECHO_TIMEOUT_MS) error(`echo #${this.index}: no answer to ${this.waiting} in ${ECHO_TIMEOUT_MS} ms`);
    if (this.waiting === 0) {
      this.waiting = ++this.seq;
      this.sentAt = Date.now();
      ws.send(JSON.stringify({ e: this.waiting, c: this.index }));
    }
    this.timer = setTimeout(() => this.echo(), rand(2000, 4000));
  }

  receive(ws, data) {
    // `"p…` is a control string (pings), `{"b"` a broadcast, `{"e"` our echo; the slow one's floods are strings of f's.
    if (data[0] === 0x22 && data[1] === 0x70) {
      const s = JSON.parse(data.toString());
      if (s.startsWith('primus::ping::')) ws.send(JSON.stringify('primus::pong::' + s.slice(14)));
      return;
    }
    if (data[0] !== 0x7b) return;
    if (data[2] === 0x62) {
      stats.broadcasts++;
      return;
    }
    const echo = JSON.parse(data.toString());
    if (echo.e !== this.waiting || echo.c !== this.index) error(`echo #${this.index}: got ${data.toString().slice(0, 40)}, waiting for ${this.waiting}`);
    else stats.echoes++;
    this.waiting = 0;
  }

  closed() {
    stats.open--;
    clearTimeout(this.timer);
    this.timer = null;
    this.waiting = 0;
    if (stopping) return;
    if (this.role === 'slow') stats.slowCycles++;
    else if (!this.leaving) error(`${this.role} #${this.index}: closed by the server`);
    setTimeout(() => this.connect(), this.role === 'slow' ? 1000 : rand(100, 500));
  }

  stop() {
    clearTimeout(this.timer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', resolve);
      // A paused socket would never read the close handshake.
      if (this.role === 'slow') ws.terminate();
      else ws.close();
    });
  }
}

serve({
  async start({ port, connections }) {
    url = `ws://127.0.0.1:${port}/primus`;
    for (let i = 0; i < connections; i++) clients.push(new SoakClient(i));
    for (let i = 0; i < clients.length; i += RAMP_BATCH) {
      await Promise.all(clients.slice(i, i + RAMP_BATCH).map((c) => c.connect()));
    }
    return { open: stats.open };
  },
  stats() {
    return { ...stats, errorSamples: errorSamples.slice() };
  },
  async stop() {
    stopping = true;
    const deadline = new Promise((resolve) => setTimeout(resolve, 20_000).unref());
    await Promise.race([Promise.all(clients.map((c) => c.stop())), deadline]);
    return { ...stats, errorSamples: errorSamples.slice() };
  },
});
ready();
