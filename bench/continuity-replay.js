'use strict';
// Resume cost: a client misses N messages (the server writes them to its
// session while a proxy refuses connections), then comes back. Reports the
// time from the new connection opening to the last replayed message, and
// the server CPU spent on the resume. After `npm run build`:
//   node bench/continuity-replay.js [--missed=1000] [--runs=7]
const net = require('net');
const path = require('path');
const { median } = require('./lib/stats');

const DIST = path.join(__dirname, '..', 'dist');
const arg = (name, def) => Number((process.argv.find((a) => a.startsWith(`--${name}=`)) || '').split('=')[1] || def);
const MISSED = arg('missed', 1000);
const RUNS = arg('runs', 7);

/** A TCP proxy that can refuse new connections and cut the open ones. */
function proxy(target) {
  let refusing = false;
  const open = new Set();
  const server = net.createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = net.connect(target, '127.0.0.1');
    open.add(client);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  return {
    listen: () => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port))),
    cut() {
      refusing = true;
      for (const c of open) c.destroy();
    },
    allow() {
      refusing = false;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

const once = (emitter, event) => new Promise((r) => emitter.once(event, r));
const until = async (check) => {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
};

async function main() {
  const { createKernel, clientFor } = require(DIST);
  const { websockets } = require(path.join(DIST, 'transformers/websockets'));
  const { jsonParserPlugin } = require(path.join(DIST, 'plugins/json-parser'));
  const { heartbeat } = require(path.join(DIST, 'plugins/heartbeat'));
  const { reconnect } = require(path.join(DIST, 'plugins/reconnect'));
  const { continuity } = require(path.join(DIST, 'plugins/continuity'));
  const kernel = createKernel()
    .use(websockets)
    .use(jsonParserPlugin)
    .use(heartbeat, { pingInterval: false })
    .use(reconnect)
    .use(continuity, { maxMessages: Math.max(1000, MISSED) });
  const server = await kernel.listen(0);
  const p = proxy(server.address().port);
  const port = await p.listen();
  const Socket = clientFor(kernel);
  const payload = { id: 0, name: 'representative', tags: ['a', 'b', 'c'], at: Date.now() };
  const times = [];
  const cpus = [];
  for (let run = 0; run < RUNS; run++) {
    const connected = once(kernel, 'connection');
    const client = new Socket(`http://127.0.0.1:${port}`, { reconnect: { min: 5, max: 10, retries: 1000 } });
    let got = 0;
    client.on('data', () => got++);
    const session = (await connected).session;
    await until(() => client.continuity.phase === 'on');
    p.cut();
    await until(() => session.spark === null);
    for (let i = 1; i <= MISSED; i++) session.write({ ...payload, id: i });
    let openedAt = 0;
    client.once('incoming::open', () => (openedAt = process.hrtime.bigint()));
    const cpu0 = process.cpuUsage();
    p.allow();
    await until(() => got >= MISSED);
    const doneAt = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpu0);
    times.push(Number(doneAt - openedAt) / 1e6);
    cpus.push((cpu.user + cpu.system) / 1000);
    client.destroy();
  }
  await p.close();
  await kernel.close();
  const fmt = (xs) => xs.map((x) => x.toFixed(1)).join(', ');
  console.log(`continuity replay of ${MISSED} missed messages, ${RUNS} runs (client and server in one process):`);
  console.log(`  open → last replayed message: median ${median(times).toFixed(1)} ms (${fmt(times)})`);
  console.log(`  process CPU (server + client) during the resume: median ${median(cpus).toFixed(1)} ms`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
