#!/usr/bin/env node
'use strict';
/**
 * CI gate for Primus 8's own suite: reads the output of
 * `../shared/primus-suite/run.sh .` (the full run, internals tagged) and
 * fails when a test outside the suite's internals.txt failed, unless
 * .ci/primus-suite-accepted.txt lists it (a Primus bug we fix on purpose).
 * A run that printed no summary line (setup failed, crashed) fails too, and
 * so does one with fewer passed tests than `min-passed` (internals included).
 *
 * Usage: node scripts/primus-suite-check.js <run.sh output file> [min-passed]
 */
const fs = require('node:fs');
const path = require('node:path');

/** Title patterns (glob: `*` matches anything) from a list file, comments and blanks left out. */
function patternsOf(file) {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((glob) => new RegExp('^' + glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + ': '));
}

function main(logFile, minPassed = 0) {
  const lines = fs.readFileSync(logFile, 'utf8').split('\n');
  const summary = lines.filter((l) => /^\d+ passed, \d+ failed$/.test(l)).pop();
  if (!summary) {
    console.error('primus-suite: no summary line; the run did not finish');
    return 1;
  }
  const accepted = patternsOf(path.join(__dirname, '..', '.ci', 'primus-suite-accepted.txt'));
  const unexpected = [];
  for (const line of lines) {
    if (!line.startsWith('not ok ')) continue;
    const rest = line.slice(line.indexOf(' :: ') + 4);
    // run.sh tags tests listed in the suite's internals.txt.
    if (rest.includes(' [internal]: ')) continue;
    if (!accepted.some((re) => re.test(rest))) unexpected.push(line);
  }
  console.log(`primus-suite: ${summary}; ${unexpected.length} failure(s) outside internals.txt and the accepted list`);
  for (const line of unexpected) console.log(line);
  const passed = Number(summary.split(' ')[0]);
  if (passed < minPassed) console.log(`primus-suite: ${passed} passed, fewer than the ${minPassed} required`);
  return unexpected.length === 0 && passed >= minPassed ? 0 : 1;
}

if (require.main === module) {
  if (process.argv.length < 3) {
    console.error('usage: node scripts/primus-suite-check.js <run.sh output file> [min-passed]');
    process.exit(2);
  }
  process.exit(main(process.argv[2], Number(process.argv[3] ?? 0)));
}

module.exports = { main, patternsOf };
