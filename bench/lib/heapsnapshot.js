'use strict';
// Compare two V8 heap snapshots (before/after N idle connections) and list
// what each connection costs, grouped by constructor / node type.
const fs = require('fs');

/** Map of group → { size, count } over all nodes of a .heapsnapshot file. */
function groups(file) {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8'));
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const out = new Map();
  const nodes = snap.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + iType]];
    const name = snap.strings[nodes[i + iName]];
    // Objects and closures by constructor/function name; strings etc. by type.
    const key = ['object', 'closure', 'array', 'native', 'hidden'].includes(type) ? `${type} ${name}` : type;
    const g = out.get(key) || { size: 0, count: 0 };
    g.size += nodes[i + iSize];
    g.count++;
    out.set(key, g);
  }
  return out;
}

/** Markdown table of the groups that grew by at least 8 bytes per connection. */
function heapPerConnection(beforeFile, afterFile, n, top = 30) {
  const a = groups(beforeFile);
  const b = groups(afterFile);
  const rows = [];
  let total = 0;
  for (const [key, g] of b) {
    const prev = a.get(key) || { size: 0, count: 0 };
    const size = (g.size - prev.size) / n;
    total += size;
    if (size >= 8) rows.push({ key, size, count: (g.count - prev.count) / n });
  }
  rows.sort((x, y) => y.size - x.size);
  const lines = [`total: ${total.toFixed(0)} bytes per connection`, '', '| bytes/conn | objects/conn | group |', '|---:|---:|---|'];
  for (const r of rows.slice(0, top)) lines.push(`| ${r.size.toFixed(0)} | ${r.count.toFixed(2)} | ${r.key.slice(0, 80)} |`);
  return lines.join('\n');
}

module.exports = { heapPerConnection };
