'use strict';
// Child side of the IPC protocol in child.js: answer `{id, cmd}` requests
// with `{id, result}` or `{id, error}`, and die with the parent so an
// interrupted run never leaves servers or clients behind.

/** Serve `handlers[cmd](args)` (sync or async) over IPC. */
function serve(handlers) {
  process.on('message', async (m) => {
    if (!m || m.id === undefined) return;
    const fn = handlers[m.cmd];
    try {
      if (!fn) throw new Error(`unknown command ${m.cmd}`);
      const result = await fn(m);
      process.send({ id: m.id, result });
    } catch (err) {
      process.send({ id: m.id, error: String((err && err.stack) || err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  // A clean exit on SIGTERM lets `--cpu-prof` write its profile.
  process.on('SIGTERM', () => process.exit(0));
}

/** Tell the parent we are up (with e.g. the port). */
function ready(info = {}) {
  process.send({ type: 'ready', ...info });
}

/** Report a start-up failure to the parent and exit. */
function fatal(err) {
  try {
    process.send({ type: 'fatal', error: String((err && err.stack) || err) });
  } finally {
    setTimeout(() => process.exit(1), 50);
  }
}

/** Wall-clock ms with sub-ms resolution, comparable across processes on one machine. */
const wallNow = () => performance.timeOrigin + performance.now();

/** process.cpuUsage() plus a wall stamp, so the parent can compute CPU utilisation. */
function cpuStamp() {
  const u = process.cpuUsage();
  return { cpuMs: (u.user + u.system) / 1000, wall: wallNow() };
}

module.exports = { serve, ready, fatal, wallNow, cpuStamp };
