'use strict';
// A redis-server of the benchmark's own for the cluster workload: a free
// port, a temp dir, no persistence; killed at the end. Absent binary: null,
// and the cluster figures are skipped with a note.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function pong(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d;
      socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
  });
}

/** Start redis-server; resolves with `{ url, stop() }`, or null when it is not installed. */
async function startRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allspark-bench-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100 && !(await pong(port)); i++) {
    if (child.exitCode !== null) throw new Error('redis-server exited at start-up');
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  return { url: `redis://127.0.0.1:${port}`, stop };
}

module.exports = { startRedis };
