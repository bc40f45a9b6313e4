'use strict';
/** What the in-process rooms benches (no-network.js, ab.js) share: options, the clock, sparks without a network. */

/** `--name=N` from the command line, else `fallback`. */
const arg = (name, fallback) => {
  const found = process.argv.find((x) => x.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};

/** What every room write and broadcast sends (a chat message). */
const PAYLOAD = { type: 'chat', user: 'bench', text: 'hello room', n: 42 };

/** This process's CPU time (user + system), in ns. */
function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/** A spark of `kernel` over a transport that counts what it is given. */
function sparkOf(kernel, id, counter) {
  const transport = { send: () => (counter.sent++, true), sendPrepared: () => (counter.sent++, true), close: () => undefined };
  const request = { method: 'GET', url: '/primus', headers: {}, query: {}, socket: null, httpVersion: '1.1' };
  return kernel.connect({ transport, request, socket: null, id });
}

/** A kernel of build `a` as the bench server has it: websockets, JSON, rooms, events, no pings. */
function benchKernel(a) {
  return a.createKernel({ pathname: '/primus' }).use(a.websockets).use(a.jsonParserPlugin).use(a.heartbeat, { pingInterval: false }).use(a.rooms).use(a.events);
}

/**
 * Run each of `kinds` (name → function returning one batch's cost) 5 times
 * to warm up, then `batches` times, alternating the order batch by batch
 * so load on a shared machine falls on all alike; each kind's costs, in
 * batch order (paired ratios need them one by one).
 */
function alternateBatches(kinds, batches) {
  const names = Object.keys(kinds);
  for (let i = 0; i < 5; i++) for (const name of names) kinds[name]();
  const costs = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < batches; i++) for (const name of i % 2 ? names : [...names].reverse()) costs[name].push(kinds[name]());
  return costs;
}

module.exports = { arg, PAYLOAD, cpuNs, sparkOf, benchKernel, alternateBatches };
