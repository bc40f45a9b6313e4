#!/usr/bin/env node
'use strict';
/**
 * The server's own cost of a request against a plain echo, without the
 * network: one spark of a kernel with the rooms and events plugins (as in
 * bench/rooms/server.js) over a transport that keeps the last frame, fed
 * the frames the bench clients send. Batches of requests and echoes
 * alternate, so load on a shared machine falls on both alike; the figure
 * is CPU ns per message (decode, events dispatch, handler, reply encode).
 * The socket's work (framing, syscalls), the same for both, is left out,
 * so the ratio here is an upper bound of the ratio over the network.
 *
 * Usage: npm run build && node bench/rooms/ack-path.js [--batches=N] [--batch=N]
 */
const path = require('path');
const a = require(path.join(__dirname, '..', '..', 'dist'));
const { median } = require('../lib/stats');

const arg = (name, fallback) => {
  const found = process.argv.find((x) => x.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const BATCHES = arg('batches', 30);
const BATCH = arg('batch', 20000);

function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

async function main() {
  const kernel = a.createKernel({ pathname: '/primus' }).use(a.websockets).use(a.jsonParserPlugin).use(a.heartbeat, { pingInterval: false }).use(a.rooms).use(a.events);
  let sent = 0;
  const transport = { send: () => (sent++, true), close: () => undefined };
  const request = { method: 'GET', url: '/primus?room=r1', headers: {}, query: { room: 'r1' }, socket: null, httpVersion: '1.1' };
  const ready = new Promise((resolve) => kernel.once('connection', resolve));
  kernel.connect({ transport, request, socket: null, id: 'bench' });
  const spark = await ready;
  spark.join('r1');
  spark.on('sum', (p) => p.a + p.b);
  spark.on('data', (d) => spark.write(d));
  const frames = {
    ack: (id) => `{"type":0,"data":["sum",{"a":1,"b":2}],"id":${id}}`,
    echo: () => '{"a":1,"b":2}',
  };
  // Frames built ahead, as the socket hands over strings it decoded.
  const built = { ack: Array.from({ length: BATCH }, (_, i) => frames.ack(i + 1)), echo: Array.from({ length: BATCH }, () => frames.echo()) };
  const run = (kind) => {
    const list = built[kind];
    const before = cpuNs();
    for (let i = 0; i < list.length; i++) spark.receive(list[i]);
    return (cpuNs() - before) / list.length;
  };
  for (let i = 0; i < 5; i++) (run('ack'), run('echo'));
  const ns = { ack: [], echo: [] };
  for (let i = 0; i < BATCHES; i++) for (const kind of i % 2 ? ['ack', 'echo'] : ['echo', 'ack']) ns[kind].push(run(kind));
  const ack = median(ns.ack);
  const echo = median(ns.echo);
  console.log(`server CPU per message, no network (${BATCHES} alternating batches of ${BATCH}, medians; ${sent} frames sent):`);
  console.log(`  request (events wire, sync handler): ${ack.toFixed(0)} ns`);
  console.log(`  plain echo:                          ${echo.toFixed(0)} ns`);
  console.log(`  request / echo:                      ${(ack / echo).toFixed(2)}×  (+${(ack - echo).toFixed(0)} ns per request)`);
  await kernel.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
