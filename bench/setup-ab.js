'use strict';
// Connection set-up, side by side in ONE server process (after `npm run build`):
//   node bench/setup-ab.js <batches> <batchSize> system...   system = ws-json | kernel:<dist dir> | facade:<dist dir>
//   e.g. node bench/setup-ab.js 40 200 ws-json kernel:dist facade:dist facade:scratch/main-dist
// (another build copied inside this checkout, so it finds node_modules).
// Every system listens in the same process; the client opens `batchSize` connections to one system at a
// time, taking the systems in turn (rotated each batch), and the server's CPU time per opened connection is
// read around each batch. On a machine other processes load, bursts hit every system alike, which
// separate server processes (bench/run.js) cannot promise; the cost is that the systems share Node's and
// ws's code. Prints the median over batches and the ratio to the first system. PROF=<dir> writes a
// --cpu-prof of the server (copies of dist/ under different folders tell the systems apart in it).
const { spawn } = require('child_process');
const path = require('path');
const http = require('http');
const { median } = require('./lib/stats');

async function build(spec) {
  const [system, dist] = spec.split(':');
  const server = http.createServer();
  if (system === 'ws-json') {
    const { WebSocketServer } = require('ws');
    const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });
    const clients = new Set();
    wss.on('connection', (ws) => { clients.add(ws); ws.on('close', () => clients.delete(ws)); ws.on('message', (d) => ws.send(JSON.stringify(JSON.parse(d.toString())))); });
  } else if (system === 'facade') {
    const { Primus } = require(path.resolve(dist));
    const primus = new Primus(server, { transformer: 'websockets', parser: 'json', pingInterval: false });
    primus.on('connection', (spark) => spark.on('data', (d) => spark.write(d)));
  } else if (system === 'kernel') {
    const { createKernel } = require(path.resolve(dist, 'core'));
    const { websockets } = require(path.resolve(dist, 'transformers/websockets'));
    const { heartbeat } = require(path.resolve(dist, 'plugins/heartbeat'));
    const { jsonParserPlugin } = require(path.resolve(dist, 'plugins/json-parser'));
    const k = createKernel({ pathname: '/primus' }).use(websockets).use(jsonParserPlugin).use(heartbeat, { pingInterval: false });
    k.on('connection', (spark) => spark.on('data', (d) => spark.write(d)));
    k.attach(server);
  } else throw new Error(`unknown system ${spec}`);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
}

if (process.argv[2] === 'server') {
  (async () => {
    const ports = [];
    for (const s of process.argv.slice(3)) ports.push(await build(s));
    let c0;
    process.on('message', (m) => {
      if (m === 'exit') process.exit(0);
      if (m === 'mark') c0 = process.cpuUsage();
      else if (m === 'read') { const c = process.cpuUsage(c0); return process.send({ us: c.user + c.system }); }
      process.send({ ok: 1 });
    });
    process.send({ ports });
  })();
} else {
  const WebSocket = require('ws');
  const batches = +process.argv[2], size = +process.argv[3];
  const systems = process.argv.slice(4);
  const srv = spawn('taskset', ['-c', '0', process.execPath, ...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-interval=50', '--cpu-prof-dir=' + process.env.PROF] : []), __filename, 'server', ...systems], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  const rpc = (msg) => new Promise((r) => { srv.once('message', r); if (msg !== undefined) srv.send(msg); });
  const open = (port, n) => { const socks = []; let next = 0; return Promise.all(Array.from({ length: 50 }, async () => { while (next++ < n) await new Promise((res, rej) => { const ws = new WebSocket(`ws://127.0.0.1:${port}/primus?_primuscb=Oabc123`, { perMessageDeflate: false }); ws.once('open', () => { socks.push(ws); res(); }); ws.once('error', rej); }); })).then(() => socks); };
  const close = (socks) => Promise.all(socks.map((ws) => new Promise((r) => { ws.once('close', r); ws.close(); })));
  (async () => {
    const { ports } = await rpc();
    const res = systems.map(() => []);
    for (let i = 0; i < systems.length; i++) await close(await open(ports[i], 300)); // warm-up
    for (let b = 0; b < batches; b++) {
      for (let j = 0; j < systems.length; j++) {
        const i = (j + b) % systems.length;
        await new Promise((r) => setTimeout(r, 20));
        await rpc('mark');
        const socks = await open(ports[i], size);
        const { us } = await rpc('read');
        res[i].push(us / size);
        await close(socks);
      }
    }
    srv.send('exit'); await new Promise((r) => srv.once('exit', r));
    const base = median(res[0]);
    for (let i = 0; i < systems.length; i++) {
      const m = median(res[i]);
      console.log(`${systems[i].padEnd(36)} ${m.toFixed(1).padStart(7)} µs/conn  ${(m / base).toFixed(3)}×   (p25 ${[...res[i]].sort((a, b) => a - b)[Math.floor(res[i].length / 4)].toFixed(0)}, p75 ${[...res[i]].sort((a, b) => a - b)[Math.floor(res[i].length * 3 / 4)].toFixed(0)})`);
    }
    process.exit(0);
  })();
}
