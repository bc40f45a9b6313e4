'use strict';
// Child processes of the benchmark: each is pinned to a core (taskset, when
// present) so server and load generator never steal each other's CPU, runs
// under a shell that raises the fd limit first (5,000 sockets need it), and
// talks to the parent over IPC with request/response messages. Every child is
// tracked so run.js can kill all of them on exit, error or signal.
const { spawn, execFileSync } = require('child_process');

const live = new Set();
let taskset;

/** True when `taskset -c 0 true` works here (it may be missing or forbidden). */
function hasTaskset() {
  if (taskset === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      taskset = true;
    } catch {
      taskset = false;
    }
  }
  return taskset;
}

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

class Child {
  constructor(proc, label) {
    this.proc = proc;
    this.label = label;
    this.seq = 0;
    this.pending = new Map();
    this.exited = false;
    this.ready = new Promise((resolve, reject) => {
      this._ready = resolve;
      this._fail = reject;
    });
    proc.on('message', (m) => this._onMessage(m));
    proc.on('exit', (code, signal) => {
      this.exited = true;
      live.delete(this);
      const err = new Error(`${label} exited (code ${code}, signal ${signal})`);
      this._fail(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  _onMessage(m) {
    if (m && m.type === 'ready') return this._ready(m);
    if (m && m.type === 'fatal') return this._fail(new Error(`${this.label}: ${m.error}`));
    const p = m && this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.error) p.reject(new Error(`${this.label}: ${m.error}`));
    else p.resolve(m.result);
  }

  /** Send a command; the promise is bounded by `timeoutMs` so no step can hang the run. */
  request(cmd, args = {}, timeoutMs = 60_000) {
    if (this.exited) return Promise.reject(new Error(`${this.label} is gone`));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: "${cmd}" timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.proc.send({ id, cmd, ...args });
    });
  }

  /** SIGTERM (servers exit cleanly, which also writes --cpu-prof files), SIGKILL after a grace period. */
  stop(graceMs = 3000) {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
      this.proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      this.proc.kill('SIGTERM');
    });
  }
}

/**
 * Start `node [nodeArgs] script [args]` pinned to `core`, and wait for its
 * `{type: 'ready'}` message (bounded by `readyMs`).
 */
async function start(script, args = [], { core, nodeArgs = [], label = script, readyMs = 20_000 } = {}) {
  const node = [process.execPath, ...nodeArgs, script, ...args].map(quote).join(' ');
  const pin = core !== undefined && hasTaskset() ? `taskset -c ${core} ` : '';
  // `exec` so the pid we hold is node's own and signals reach it directly.
  const sh = `ulimit -n 65535 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${pin}${node}`;
  const proc = spawn('/bin/sh', ['-c', sh], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const child = new Child(proc, label);
  live.add(child);
  let timer;
  try {
    const msg = await Promise.race([
      child.ready,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${label} not ready after ${readyMs} ms`)), readyMs);
      }),
    ]);
    child.info = msg;
    return child;
  } catch (err) {
    await child.stop(500);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Kill every child still alive (used in `finally` and on signals). */
async function stopAll() {
  await Promise.all([...live].map((c) => c.stop(1000)));
}

/** Synchronous last resort for process 'exit': SIGKILL whatever is left. */
function killAllSync() {
  for (const c of live) {
    try {
      c.proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/**
 * The load generator (gen/main.js) on core 1. Its own scavenges would show in
 * every system's latency tail; a fixed 32 MiB young generation makes them
 * rare, so the tail is the server's. Benchmark and profiler start it alike.
 */
function startGenerator() {
  return start(require('path').join(__dirname, '..', 'gen', 'main.js'), [], {
    core: 1,
    nodeArgs: ['--min-semi-space-size=32', '--max-semi-space-size=32'],
    label: 'generator',
  });
}

module.exports = { start, startGenerator, stopAll, killAllSync, hasTaskset };
