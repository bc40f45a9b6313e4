#!/usr/bin/env node
'use strict';
/**
 * The server's own cost of rooms and requests, without the network: a
 * kernel with the rooms and events plugins (as in bench/rooms/server.js)
 * whose sparks have a transport that only counts frames.
 *
 *   requests   one spark fed the frames the bench clients send
 *              (`spark.receive`): a `sum` request against a plain echo.
 *   rooms      `rooms` × `members` sparks: one write to every room against
 *              one plain broadcast (the same deliveries).
 *
 * Batches of the two kinds alternate, so load on a shared machine falls on
 * both alike; figures are CPU ns per message / per delivery, medians. The
 * socket's work (framing, syscalls), the same for both kinds, is left out,
 * so the ratios here are upper bounds of the ratios over the network.
 *
 * Usage: npm run build && node bench/rooms/no-network.js [--batches=N] [--batch=N] [--rooms=N] [--members=N]
 */
const path = require('path');
const a = require(process.env.ALLSPARK_DIST || path.join(__dirname, '..', '..', 'dist'));
const { median } = require('../lib/stats');
const { arg, PAYLOAD, cpuNs, sparkOf, benchKernel, alternateBatches } = require('./no-network-kit');

const BATCHES = arg('batches', 30);
const BATCH = arg('batch', 20000);
const ROOMS = arg('rooms', 1000);
const MEMBERS = arg('members', 10);

/** Each kind's median ns per unit over BATCHES alternating batches. */
function alternate(kinds) {
  return Object.fromEntries(Object.entries(alternateBatches(kinds, BATCHES)).map(([n, costs]) => [n, median(costs)]));
}

async function main() {
  const kernel = benchKernel(a);
  const counter = { sent: 0 };
  const connected = new Promise((resolve) => {
    let n = 0;
    kernel.on('connection', () => ++n === ROOMS * MEMBERS && resolve());
  });
  const sparks = [];
  for (let i = 0; i < ROOMS * MEMBERS; i++) sparks.push(sparkOf(kernel, 's' + i, counter));
  await connected;
  const rooms = a.roomsOf(kernel);
  sparks.forEach((spark, i) => spark.join('r' + Math.floor(i / MEMBERS)));
  const spark = sparks[0];
  spark.on('sum', (p) => p.a + p.b);
  spark.on('data', (d) => spark.write(d));

  // Frames built ahead, as the socket hands over strings it decoded.
  const frames = {
    ack: Array.from({ length: BATCH }, (_, i) => `{"type":0,"data":["sum",{"a":1,"b":2}],"id":${i + 1}}`),
    echo: Array.from({ length: BATCH }, () => '{"a":1,"b":2}'),
  };
  const receive = (list) => () => {
    const before = cpuNs();
    for (let i = 0; i < list.length; i++) spark.receive(list[i]);
    return (cpuNs() - before) / list.length;
  };
  const requests = alternate({ request: receive(frames.ack), echo: receive(frames.echo) });

  const deliveries = ROOMS * MEMBERS;
  const names = Array.from({ length: ROOMS }, (_, r) => 'r' + r);
  const broadcasts = alternate({
    room: () => {
      const before = cpuNs();
      for (let r = 0; r < ROOMS; r++) rooms.room(names[r]).write(PAYLOAD);
      return (cpuNs() - before) / deliveries;
    },
    plain: () => {
      const before = cpuNs();
      kernel.write(PAYLOAD);
      return (cpuNs() - before) / deliveries;
    },
  });

  console.log(`server CPU, no network (${BATCHES} alternating batches, medians; ${counter.sent} frames handed to transports):`);
  console.log(`  request (events wire, sync handler): ${requests.request.toFixed(0)} ns per message`);
  console.log(`  plain echo:                          ${requests.echo.toFixed(0)} ns per message`);
  console.log(`  request / echo:                      ${(requests.request / requests.echo).toFixed(2)}×  (+${(requests.request - requests.echo).toFixed(0)} ns)`);
  console.log(`  room write (${ROOMS} rooms × ${MEMBERS}):        ${broadcasts.room.toFixed(0)} ns per delivery`);
  console.log(`  plain broadcast:                     ${broadcasts.plain.toFixed(0)} ns per delivery`);
  console.log(`  room / plain:                        ${(broadcasts.room / broadcasts.plain).toFixed(2)}×  (+${(broadcasts.room - broadcasts.plain).toFixed(0)} ns)`);
  await kernel.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
