#!/usr/bin/env node
'use strict';
// Turn raw per-round figures into results.json, RESULTS.md and results.svg.
// Also a CLI to re-render an existing run without measuring again:
//   node bench/report/index.js [bench/results.json] [out-dir]
const fs = require('fs');
const { sectionOf, withSection } = require('../lib/sections');
const path = require('path');
const config = require('../config');
const { summarise, checkTargets } = require('./metrics');
const { render } = require('./markdown');
const { chart } = require('./svg');
const { soakSectionOf, withSoakSection } = require('../soak/report');

const CHART_METRICS = ['echo.rate', 'echo.cpuUs', 'latency.p50', 'latency.p99', 'broadcast.rate', 'broadcast.cpuUs',
  'memory.rssPerConn', 'memory.heapPerConn', 'memory.connectRate', 'footprint.startMs', 'footprint.rss'];

/** Summarise `raw` and write the three result files into `outDir`; returns the RESULTS.md path. */
function writeReport(outDir, raw, meta) {
  const summary = summarise(raw, { noisyCpu: meta.config.noisyCpu });
  const results = { meta, summary, targets: checkTargets(summary), raw };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const chartSystems = meta.systems.filter((s) => !config.BINARY.includes(s));
  fs.writeFileSync(path.join(outDir, 'results.svg'), chart(summary, chartSystems, { metricIds: CHART_METRICS }));
  // The soak (bench/soak/run.js) and continuity (bench/continuity.js) keep their own sections of the file: carry them over.
  const md = path.join(outDir, 'RESULTS.md');
  const old = fs.existsSync(md) ? fs.readFileSync(md, 'utf8') : '';
  const soak = soakSectionOf(old);
  let text = soak === '' ? render(results) : withSoakSection(render(results), soak);
  const continuity = sectionOf(old, 'continuity');
  if (continuity !== '') text = withSection(text, 'continuity', continuity);
  fs.writeFileSync(md, text);
  return path.join(outDir, 'RESULTS.md');
}

if (require.main === module) {
  const file = path.resolve(process.argv[2] || path.join(__dirname, '..', 'results.json'));
  const { raw, meta } = JSON.parse(fs.readFileSync(file, 'utf8'));
  console.error(`→ ${writeReport(process.argv[3] || path.dirname(file), raw, meta)}`);
}

module.exports = { writeReport };
