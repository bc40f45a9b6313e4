'use strict';
// In-process codec micro-benchmark: encode and decode the representative
// payload with each codec, as the parsers do on the hot path. Each loop runs
// for a fixed time after a warm-up; a checksum keeps V8 from dropping work.
const path = require('path');
const { representative: payload } = require('../lib/payload');

const DIST = path.join(__dirname, '..', '..', 'dist');
const durationMs = Number(process.argv[2]) || 300;

function codecs() {
  const list = [{ name: 'JSON', encode: (v) => JSON.stringify(v), decode: (s) => JSON.parse(s) }];
  const add = (file, key) => {
    try {
      const codec = require(path.join(DIST, 'plugins/binary-parser', file))[key];
      if (codec) list.push({ name: codec.name || file, encode: (v) => codec.encode(v), decode: (f) => codec.decode(f) });
    } catch {
      /* parser not built yet: skipped, reported as missing */
    }
  };
  add('index', 'msgpackCodec');
  add('binarypack', 'binaryPackCodec');
  return list;
}

/** ns per call of `fn`, in batches so reading the clock costs nothing. */
function time(fn) {
  let sink = 0;
  const run = (ms) => {
    let n = 0;
    const t0 = performance.now();
    const end = t0 + ms;
    let now = t0;
    while (now < end) {
      for (let i = 0; i < 200; i++) sink += fn() ? 1 : 0;
      n += 200;
      now = performance.now();
    }
    return ((now - t0) * 1e6) / n;
  };
  run(durationMs / 3); // warm-up: let the optimising compiler settle
  const ns = run(durationMs);
  if (sink === -1) console.log(sink);
  return ns;
}

const results = {};
for (const c of codecs()) {
  const frame = c.encode(payload);
  const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength;
  const encodeNs = time(() => c.encode(payload));
  const decodeNs = time(() => c.decode(frame));
  results[c.name] = { encodeNs, decodeNs, roundTripNs: encodeNs + decodeNs, bytes: size };
}
const { user, system } = process.cpuUsage();
process.send({ type: 'ready', results, cpuMs: (user + system) / 1000 });
process.on('disconnect', () => process.exit(0));
