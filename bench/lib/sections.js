'use strict';
// Sections of RESULTS.md that another script owns (bench/continuity.js), kept
// between `<!-- name:start -->` and `<!-- name:end -->` so a full benchmark
// run, which rewrites the file, carries them over.

const markers = (name) => [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];

/** The section `name` of `text`, markers included ('' when it has none). */
function sectionOf(text, name) {
  const [start, end] = markers(name);
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  return a !== -1 && b > a ? text.slice(a, b + end.length) : '';
}

/** `text` with its section `name` replaced by `body` (wrapped in the markers; appended when absent). */
function withSection(text, name, body) {
  const [start, end] = markers(name);
  const section = body.startsWith(start) ? body : `${start}\n${body.trimEnd()}\n${end}`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a !== -1 && b > a) return text.slice(0, a) + section + text.slice(b + end.length);
  return (text === '' || text.endsWith('\n') ? text : text + '\n') + (text === '' ? '' : '\n') + section + '\n';
}

module.exports = { sectionOf, withSection };
