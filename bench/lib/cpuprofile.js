'use strict';
// Summarise a V8 .cpuprofile: self time per function and per area (allspark,
// ws, primus, node internals, GC…), as a share of non-idle samples.
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');

/** Which area a script URL belongs to. */
function areaOf(url) {
  if (!url) return 'native/V8';
  const file = url.replace(/^file:\/\//, '');
  if (file.startsWith(path.join(ROOT, 'dist'))) return 'allspark';
  if (file.includes('/node_modules/')) return file.split('/node_modules/').pop().split('/')[0];
  if (file.startsWith(path.join(ROOT, 'bench'))) return 'bench harness';
  if (file.startsWith('node:') || !file.startsWith('/')) return 'node core';
  return 'other';
}

function where(frame) {
  const url = frame.url.replace(/^file:\/\//, '');
  const rel = url.startsWith(ROOT) ? path.relative(ROOT, url) : url.replace(/^.*\/node_modules\//, '');
  return rel ? `${rel}:${frame.lineNumber + 1}` : '';
}

/** `{ total, byArea, top }`: `top` are the `n` functions with most self time. */
function summarise(profile, n = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const areas = new Map();
  let total = 0;
  // timeDeltas[i] is the time since the previous sample; attribute it to sample i.
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const f = node.callFrame;
    if (f.functionName === '(idle)') continue;
    const dt = profile.timeDeltas[i] || 0;
    total += dt;
    const area = f.functionName === '(garbage collector)' ? 'GC' : f.functionName === '(program)' ? '(program)' : areaOf(f.url);
    areas.set(area, (areas.get(area) || 0) + dt);
    const key = `${f.functionName || '(anonymous)'}\t${where(f)}\t${area}`;
    self.set(key, (self.get(key) || 0) + dt);
  }
  const pct = (t) => (100 * t) / total;
  const all = [...self]
    .sort((a, b) => b[1] - a[1])
    .map(([key, t]) => {
      const [fn, loc, area] = key.split('\t');
      return { fn, loc, area, pct: pct(t), ms: t / 1000 };
    });
  const byArea = [...areas].sort((a, b) => b[1] - a[1]).map(([area, t]) => ({ area, pct: pct(t) }));
  const ours = all.filter((t) => t.area === 'allspark').slice(0, 12);
  return { totalMs: total / 1000, byArea, top: all.slice(0, n), ours };
}

/** Plain-text rendering for the console. */
function format(title, s, n = 20) {
  const lines = [`### ${title} (${s.totalMs.toFixed(0)} ms busy)`, ''];
  lines.push('self time by area: ' + s.byArea.map((a) => `${a.area} ${a.pct.toFixed(1)}%`).join(', '), '');
  lines.push('| self % | function | where | area |', '|---:|---|---|---|');
  for (const t of s.top.slice(0, n)) lines.push(`| ${t.pct.toFixed(1)} | ${t.fn} | ${t.loc} | ${t.area} |`);
  if (s.ours.length) {
    lines.push('', 'allspark functions by self time: ' + s.ours.map((t) => `${t.fn} (${t.loc}) ${t.pct.toFixed(1)}%`).join('; '));
  }
  return lines.join('\n');
}

module.exports = { summarise, format };
