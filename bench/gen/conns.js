'use strict';
// Opening and closing many client connections, bounded in count and time.
const WebSocket = require('ws');

// No compression (servers have it off too) and no UTF-8 validation: the
// generator must spend its CPU on sending and receiving, not on checks.
const CLIENT_OPTS = { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 10_000 };

/**
 * Open one connection and resolve once it is ready at the application level.
 * `conn.onMessage(conn)` is called for every application message.
 */
function openOne(wire, port) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wire.url(port), CLIENT_OPTS);
    const conn = { ws, onMessage: null };
    const fail = (err) => {
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error('application handshake timed out')), 10_000);
    ws.on('message', (data, isBinary) => {
      if (wire.isMessage(ws, data, isBinary) && conn.onMessage !== null) conn.onMessage(conn, data);
    });
    ws.once('error', fail);
    wire.ready(ws, () => {
      clearTimeout(timer);
      ws.removeListener('error', fail);
      ws.on('error', () => {}); // late errors (resets at teardown) are not failures
      resolve(conn);
    });
  });
}

/**
 * Open `count` connections with at most `concurrency` handshakes in flight.
 * Returns the connections and the wall time it took; gives up at `deadlineMs`.
 */
async function openMany(wire, port, count, concurrency, deadlineMs = 60_000) {
  const conns = [];
  let failures = 0;
  let next = 0;
  let aborted = false;
  const started = performance.now();
  const deadline = started + deadlineMs;
  const worker = async () => {
    while (!aborted && next < count && performance.now() < deadline) {
      next++;
      try {
        conns.push(await openOne(wire, port));
      } catch {
        failures++;
        if (failures > Math.max(10, count / 100)) aborted = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const ms = performance.now() - started;
  if (conns.length < count) {
    closeAll(conns);
    throw new Error(`opened only ${conns.length}/${count} connections (${failures} failures)`);
  }
  return { conns, ms };
}

/** Close every connection and wait (bounded) until their sockets are gone. */
function closeAll(conns, waitMs = 5000) {
  return new Promise((resolve) => {
    let open = 0;
    const timer = setTimeout(done, waitMs);
    function done() {
      clearTimeout(timer);
      resolve();
    }
    for (const { ws } of conns) {
      if (ws.readyState === WebSocket.CLOSED) continue;
      open++;
      ws.once('close', () => {
        if (--open === 0) done();
      });
      // terminate(): no closing handshake, the server sees the TCP close at once.
      ws.terminate();
    }
    if (open === 0) done();
  });
}

module.exports = { openOne, openMany, closeAll };
