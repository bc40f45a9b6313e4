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

module.exports = { arg, PAYLOAD, cpuNs, sparkOf, benchKernel };
