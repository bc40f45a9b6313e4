'use strict';
// Small statistics helpers shared by the generator and the report.

/** p50 and p99 in one sort. */
function p50p99(values) {
  if (values.length === 0) return { p50: NaN, p99: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { p50: at(50), p99: at(99) };
}

/**
 * p99 of each consecutive window of `size` samples, and their median. A
 * burst of other work on a shared machine (a few ms of another process on
 * the server's core) inflates the p99 of the windows it falls into; the
 * median window shows the tail the server itself causes. Windows shorter
 * than `size` at the end are left out.
 */
function windowedP99(values, size) {
  const p99s = [];
  for (let at = 0; at + size <= values.length; at += size) p99s.push(p50p99(values.subarray(at, at + size)).p99);
  return median(p99s);
}

/** Median of the finite numbers in `values` (NaN when none). */
function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** A bounded sample buffer: keeps the first `capacity` samples (enough for seconds of echo). */
class Samples {
  constructor(capacity) {
    this.buf = new Float64Array(capacity);
    this.n = 0;
  }
  push(x) {
    if (this.n < this.buf.length) this.buf[this.n++] = x;
  }
  reset() {
    this.n = 0;
  }
  values() {
    return this.buf.subarray(0, this.n);
  }
}

module.exports = { p50p99, windowedP99, median, Samples };
