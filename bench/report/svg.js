'use strict';
// A dependency-free SVG bar chart: for each metric, one horizontal bar per
// system showing its ratio to a baseline of the same run, with a line at 1×.
const { METRICS, valueOf } = require('./metrics');

const COLORS = {
  ws: '#9e9e9e',
  'ws-json': '#616161',
  primus: '#e53935',
  socketio: '#fb8c00',
  'allspark-facade': '#1e88e5',
  'allspark-kernel': '#3949ab',
  'allspark-msgpack': '#00897b',
  'allspark-binarypack': '#43a047',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Chart ratios of `metricIds` against `base` (falling back to `fallbackBase`
 * where the base has no figure, as for start-up footprint).
 */
function chart(summary, systems, { metricIds, base = 'ws-json', fallbackBase = 'ws', maxRatio = 3 } = {}) {
  const W = 900;
  const LABEL = 250;
  const PLOT = W - LABEL - 80;
  const BAR = 13;
  const rows = [];
  for (const id of metricIds) {
    const m = METRICS.find((x) => x.id === id);
    const b = valueOf(summary, id, base) !== undefined ? base : fallbackBase;
    const baseValue = valueOf(summary, id, b);
    if (baseValue === undefined) continue;
    const bars = systems
      .map((s) => ({ system: s, v: valueOf(summary, id, s) }))
      .filter((x) => x.v !== undefined)
      .map((x) => ({ ...x, ratio: x.v / baseValue }));
    rows.push({ m, base: b, bars });
  }
  const x = (r) => LABEL + (Math.min(r, maxRatio) / maxRatio) * PLOT;
  let y = 40;
  const body = [];
  for (const { m, base: b, bars } of rows) {
    body.push(
      `<text x="10" y="${y + 10}" font-weight="bold">${esc(m.label)}</text>` +
        `<text x="10" y="${y + 24}" fill="#666">× ${esc(b)}, ${m.better} is better</text>`,
    );
    const top = y;
    for (const bar of bars) {
      const w = Math.max(1, x(bar.ratio) - LABEL);
      body.push(
        `<rect x="${LABEL}" y="${y}" width="${w.toFixed(1)}" height="${BAR - 2}" fill="${COLORS[bar.system] || '#000'}"/>` +
          `<text x="${(LABEL + w + 4).toFixed(1)}" y="${y + BAR - 3}">${bar.ratio.toFixed(2)}${bar.ratio > maxRatio ? ' ▸' : ''}</text>`,
      );
      y += BAR;
    }
    y = Math.max(y, top + 30);
    body.push(`<line x1="${x(1)}" y1="${top - 2}" x2="${x(1)}" y2="${y}" stroke="#000" stroke-dasharray="3,2"/>`);
    y += 12;
  }
  const legend = systems
    .map((s, i) => `<rect x="${10 + i * 110}" y="${y + 4}" width="10" height="10" fill="${COLORS[s] || '#000'}"/>` +
      `<text x="${24 + i * 110}" y="${y + 13}">${esc(s)}</text>`)
    .join('');
  const H = y + 30;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="#fff"/>\n` +
    `<text x="10" y="20" font-size="14" font-weight="bold">allspark benchmark: ratio to baseline of the same run (dashed line = 1×, axis capped at ${maxRatio}×)</text>\n` +
    body.join('\n') +
    `\n${legend}\n</svg>\n`
  );
}

module.exports = { chart };
