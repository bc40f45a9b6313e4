#!/usr/bin/env node
'use strict';
// Profile servers under load: `node bench/profile.js [--systems=a,b] [--only=echo,broadcast,memory] [--payload=small|medium] [--heap]`
// (after `npm run build`). Each server runs with `node --cpu-prof` under the
// echo and broadcast workloads of the default run; prints self time per area
// and the top functions. `--heap` also writes a heap snapshot with 2,000 idle
// connections and lists the object types that grow per connection.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { start, startGenerator, stopAll, killAllSync } = require('./lib/child');
const config = require('./config');
const net = require('./workloads/net');
const { summarise, format } = require('./lib/cpuprofile');
const { heapPerConnection } = require('./lib/heapsnapshot');

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.find((a) => a.startsWith(`--${name}=`)) || `=${dflt}`).split('=')[1];
const systems = opt('systems', 'allspark-kernel,allspark-facade,ws-json').split(',');
const only = opt('only', 'echo,broadcast').split(',');
process.env.BENCH_PAYLOAD = opt('payload', 'small');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allspark-prof-'));

async function cpuProfiles(gen) {
  for (const system of systems) {
    for (const name of only) {
      const file = `${system}-${name}.cpuprofile`;
      const ctx = {
        config: config.full,
        gen,
        startServer: (s) =>
          start(path.join(__dirname, 'servers', 'main.js'), [s], {
            core: 0,
            nodeArgs: ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${file}`],
            label: `server ${s}`,
          }),
      };
      const result = await net[name].run(ctx, system);
      const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      const rate = Math.round(result.rate || result.connectRate);
      console.log(`\n${format(`${system} under ${name}: ${rate}/s, server CPU ${result.cpuUs ? result.cpuUs.toFixed(2) + ' µs per message' : ''}${result.connectCpuUs ? Math.round(result.connectCpuUs) + ' µs per connection' : ''}`, summarise(profile))}`);
    }
  }
}

async function heapProfiles(gen) {
  const count = 2000;
  for (const system of systems) {
    const server = await start(path.join(__dirname, 'servers', 'main.js'), [system], {
      core: 0,
      nodeArgs: ['--expose-gc'],
      label: `server ${system}`,
    });
    try {
      const port = server.info.port;
      const before = await server.request('snapshot', { dir, name: `${system}-0.heapsnapshot` }, 120_000);
      await gen.request('open', { system, port, count, concurrency: 100 }, 60_000);
      const after = await server.request('snapshot', { dir, name: `${system}-${count}.heapsnapshot` }, 120_000);
      await gen.request('close', {}, 30_000);
      console.log(`\n### ${system}: heap bytes per idle connection by constructor (${count} connections)\n`);
      console.log(heapPerConnection(before, after, count));
    } finally {
      await server.stop();
    }
  }
}

(async () => {
  const gen = await startGenerator();
  try {
    if (only.some((w) => net[w])) await cpuProfiles(gen);
    if (argv.includes('--heap')) await heapProfiles(gen);
    console.log(`\nprofiles in ${dir}`);
  } finally {
    await stopAll();
  }
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
process.on('exit', killAllSync);
