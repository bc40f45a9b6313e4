#!/usr/bin/env node
'use strict';
/**
 * Rooms and acknowledgements, allspark against Socket.IO 4 in the same run:
 *
 *   room broadcast  `rooms` rooms × `members` members; each step writes one
 *                   message to every room (rooms × members deliveries), and
 *                   the same deliveries as one plain broadcast per step
 *                   (allspark's `kernel.write`, Socket.IO's `io.emit`).
 *   requests        `clients` connections, `inflight` (10) requests in flight each
 *                   (allspark `ask`/events wire, Socket.IO `emitWithAck` wire),
 *                   and the same with plain echoed messages.
 *
 * Each comparison (room against plain broadcast, request against echo)
 * alternates `pairs` windows of both kinds; "room / plain" and "request /
 * echo" are medians of the per-pair ratios, which hold up on a busy machine
 * where absolute figures drift.
 *
 * Figures: server CPU µs per delivered message / per round trip (the least
 * noisy figure on a shared machine) and deliveries or round trips per second.
 * Server on core 0, clients on core 1 (taskset when present).
 *
 * Usage: npm run build && node bench/rooms/run.js [--quick] [--rounds=N] [--pairs=N] [--rooms=N] [--steps=N] [--inflight=N]
 */
const path = require('path');
const { start, stopAll, killAllSync } = require('../lib/child');
const { median } = require('../lib/stats');

const quick = process.argv.includes('--quick');
const arg = (name, fallback) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const config = {
  rounds: arg('rounds', quick ? 1 : 3),
  rooms: arg('rooms', quick ? 100 : 1000),
  members: arg('members', 10),
  steps: arg('steps', quick ? 5 : 10),
  pairs: arg('pairs', quick ? 3 : 5),
  clients: arg('clients', 100),
  // Ten in flight: the server is busy and batches its reads and writes, so its CPU per round trip is its
  // work per round trip. With one in flight the server wakes up for nearly every message, burns about
  // the same CPU whatever the throughput, and CPU per round trip follows the throughput the clients and
  // the scheduler allow (pairs of the same kinds swing 0.8–1.5×; see RESULTS.md).
  inflight: arg('inflight', 10),
  durationMs: arg('duration', quick ? 700 : 1500),
};
const PAYLOAD = { type: 'chat', user: 'bench', text: 'hello room', n: 42 };
const SYSTEMS = ['allspark', 'socketio'];

async function cpuBetween(server, fn) {
  const a = await server.request('cpu');
  const result = await fn();
  const b = await server.request('cpu');
  return { cpuMs: b.cpuMs - a.cpuMs, wallMs: b.wall - a.wall, result };
}

async function measure(system) {
  const server = await start(path.join(__dirname, 'server.js'), [system], { core: 0, label: `server ${system}` });
  const clients = await start(path.join(__dirname, 'clients.js'), [], { core: 1, label: 'clients', nodeArgs: ['--min-semi-space-size=32', '--max-semi-space-size=32'] });
  try {
    const port = server.info.port;
    await clients.request('open', { system, port, rooms: config.rooms, members: config.members }, 300_000);
    const deliveries = config.rooms * config.members * config.steps;
    const out = {};
    // One warm-up step of each kind, then room and plain broadcasts alternate `pairs` times: the
    // ratio of each adjacent pair is measured under the same load on this shared machine.
    const broadcast = async (kind, steps) => {
      const n = config.rooms * config.members * steps;
      return cpuBetween(server, async () => {
        const got = clients.request('expect', { n, timeoutMs: 240_000 }, 250_000);
        await server.request(kind, { rooms: config.rooms, count: steps, payload: PAYLOAD }, 240_000);
        await got;
      });
    };
    for (const kind of ['rooms', 'plain']) await broadcast(kind, 1);
    const sent = { rooms: [], plain: [], ratio: [] };
    for (let i = 0; i < config.pairs; i++) {
      const order = i % 2 === 0 ? ['rooms', 'plain'] : ['plain', 'rooms'];
      const pair = {};
      for (const kind of order) {
        const m = await broadcast(kind, config.steps);
        pair[kind] = { usPerDelivery: (m.cpuMs * 1000) / deliveries, perSecond: deliveries / (m.wallMs / 1000) };
        sent[kind].push(pair[kind]);
      }
      sent.ratio.push(pair.rooms.usPerDelivery / pair.plain.usPerDelivery);
    }
    for (const kind of ['rooms', 'plain']) {
      out[kind] = { usPerDelivery: median(sent[kind].map((t) => t.usPerDelivery)), perSecond: median(sent[kind].map((t) => t.perSecond)) };
    }
    out.roomsRatio = median(sent.ratio);
    // Requests and echoes alternate `pairs` times, so a burst of other load on the machine does not land on one kind only.
    const trips = { ack: [], echo: [], ratio: [] };
    for (let i = 0; i < config.pairs; i++) {
      const pair = {};
      for (const kind of i % 2 === 0 ? ['ack', 'echo'] : ['echo', 'ack']) {
        const load = { system, clients: config.clients, inflight: config.inflight, kind };
        await clients.request('requests', { ...load, durationMs: 200 }, 60_000);
        const m = await cpuBetween(server, () => clients.request('requests', { ...load, durationMs: config.durationMs }, 60_000));
        pair[kind] = { usPerTrip: (m.cpuMs * 1000) / m.result.trips, perSecond: m.result.trips / (m.wallMs / 1000) };
        trips[kind].push(pair[kind]);
      }
      trips.ratio.push(pair.ack.usPerTrip / pair.echo.usPerTrip);
    }
    for (const kind of ['ack', 'echo']) {
      out[kind] = { usPerTrip: median(trips[kind].map((t) => t.usPerTrip)), perSecond: median(trips[kind].map((t) => t.perSecond)) };
    }
    out.ackRatio = median(trips.ratio);
    await clients.request('close', {}, 60_000);
    return out;
  } finally {
    await clients.stop();
    await server.stop();
  }
}

function table(rows) {
  const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '–');
  const lines = [
    `rooms ${config.rooms} × members ${config.members}, ${config.steps} steps per window; requests: ${config.clients} clients × ${config.inflight} in flight, ${config.durationMs} ms windows; ` +
      `${config.pairs} alternating pairs per kind, medians of ${config.rounds} round(s)`,
    '',
    '| system | room broadcast µs CPU/delivery | deliveries/s | plain broadcast µs CPU/delivery | room / plain | request µs CPU/round trip | round trips/s | echo µs CPU/round trip | echo round trips/s | request / echo |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [system, r] of rows) {
    lines.push(
      `| ${system} | ${fmt(r.rooms.usPerDelivery)} | ${fmt(r.rooms.perSecond, 0)} | ${fmt(r.plain.usPerDelivery)} | ${fmt(r.roomsRatio)}× | ` +
        `${fmt(r.ack.usPerTrip)} | ${fmt(r.ack.perSecond, 0)} | ${fmt(r.echo.usPerTrip)} | ${fmt(r.echo.perSecond, 0)} | ${fmt(r.ackRatio)}× |`,
    );
  }
  return lines.join('\n');
}

(async () => {
  const runs = Object.fromEntries(SYSTEMS.map((s) => [s, []]));
  for (let round = 0; round < config.rounds; round++) {
    // Rotate the order per round so neither system always runs first.
    const order = round % 2 === 0 ? SYSTEMS : [...SYSTEMS].reverse();
    for (const system of order) runs[system].push(await measure(system));
  }
  const med = (list, kind, key) => median(list.map((r) => r[kind][key]));
  const rows = SYSTEMS.map((system) => {
    const list = runs[system];
    const r = {};
    for (const kind of ['rooms', 'plain']) r[kind] = { usPerDelivery: med(list, kind, 'usPerDelivery'), perSecond: med(list, kind, 'perSecond') };
    for (const kind of ['ack', 'echo']) r[kind] = { usPerTrip: med(list, kind, 'usPerTrip'), perSecond: med(list, kind, 'perSecond') };
    r.roomsRatio = median(list.map((x) => x.roomsRatio));
    r.ackRatio = median(list.map((x) => x.ackRatio));
    return [system, r];
  });
  console.log(table(rows));
})()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => stopAll());

process.on('exit', killAllSync);
process.on('SIGINT', () => process.exit(130));
