#!/usr/bin/env node
'use strict';
// RSS of a server whose app writes 256 MiB (1 MiB messages, ignoring
// `write() === false`) to one client that stopped reading, per transformer,
// with the default cap (`maxBuffered` 4 MiB, policy close and drop) and
// without one (`maxBuffered` 1 TiB: what every version before the cap did).
//   npm run build && node bench/slow-consumer.js [--mib=256] [--only=websockets,sockjs]
// The stalled client is a child process (`ws`, socket paused after the
// handshake), so its memory never counts. Figures: RSS before the flood and
// the peak during it (sampled after every write), in MiB.
const http = require('http');
const path = require('path');
const { fork } = require('child_process');

const DIST = path.join(__dirname, '..', 'dist');
const MiB = 1 << 20;
const opt = (name, dflt) => (process.argv.find((a) => a.startsWith(`--${name}=`)) || `=${dflt}`).split('=')[1];
const TOTAL = Number(opt('mib', 256));
const ONLY = opt('only', 'websockets,faye,engine.io,sockjs').split(',');
const PATHS = {
  websockets: () => '/primus',
  faye: () => '/primus',
  'engine.io': () => '/primus/?EIO=4&transport=websocket',
  sockjs: () => `/primus/000/${Math.random().toString(36).slice(2, 10)}/websocket`,
};
const SETTINGS = [
  { name: 'no cap', options: { maxBuffered: 2 ** 40 } },
  { name: 'cap 4 MiB, close', options: { overflow: 'close' } },
  { name: 'cap 4 MiB, drop', options: { overflow: 'drop' } },
];

if (process.argv[2] === '--stalled-client') {
  // Child: connect, pause the socket once open, report, wait to be killed.
  const WebSocket = require('ws');
  const ws = new WebSocket(process.argv[3]);
  ws.on('open', () => {
    ws._socket.pause();
    process.send('open');
  });
  ws.on('error', () => undefined);
  // A paused socket does not keep the event loop alive.
  setInterval(() => undefined, 60_000);
  return;
}

const rss = () => process.memoryUsage().rss / MiB;
const turn = () => new Promise((resolve) => setImmediate(resolve));

async function measure(transformer, setting) {
  const { Primus } = require(DIST);
  const server = http.createServer();
  const primus = new Primus(server, { transformer, pingInterval: false, ...setting.options });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const connected = new Promise((resolve) => primus.once('connection', resolve));
  const url = `ws://127.0.0.1:${server.address().port}${PATHS[transformer]()}`;
  const child = fork(__filename, ['--stalled-client', url], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  await new Promise((resolve) => child.once('message', resolve));
  const spark = await connected;
  global.gc?.();
  await turn();
  const before = rss();
  let peak = before;
  const chunk = 'x'.repeat(MiB - 2);
  for (let i = 0; i < TOTAL; i++) {
    spark.write(chunk);
    await turn();
    peak = Math.max(peak, rss());
  }
  const result = { transformer, setting: setting.name, before, peak, growth: peak - before, open: spark.readyState === 3, dropped: spark.dropped };
  child.kill('SIGKILL');
  await new Promise((resolve) => primus.destroy({}, resolve));
  return result;
}

/** Each figure in a fresh process (`--one=transformer:setting`), so no run inherits another's heap. */
function inChild(transformer, index) {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [`--one=${transformer}:${index}`, `--mib=${TOTAL}`], { execArgv: ['--expose-gc'] });
    child.once('message', resolve);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`measurement exited with ${code}`))));
  });
}

async function main() {
  const one = opt('one', '');
  if (one) {
    const [transformer, index] = one.split(':');
    process.send(await measure(transformer, SETTINGS[Number(index)]));
    return;
  }
  for (const transformer of ONLY) {
    for (let index = 0; index < SETTINGS.length; index++) {
      const r = await inChild(transformer, index);
      console.log(
        `${r.transformer.padEnd(10)} ${r.setting.padEnd(17)} RSS before ${r.before.toFixed(0).padStart(4)} MiB, ` +
          `peak ${r.peak.toFixed(0).padStart(4)} MiB, growth ${r.growth.toFixed(1).padStart(6)} MiB ` +
          `(spark ${r.open ? 'open' : 'closed'}, dropped ${r.dropped})`,
      );
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
