#!/usr/bin/env node
// `npm run bench [-- --json FILE] [-- --only NAME]`: runs every benchmark suite, prints readable
// tables, and with --json writes one {"name","value","unit"[,"baseline","ratio"]} object per line.
import { appendFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const jsonFile = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

const SUITES = [
  ['gitops-sync', './gitops-sync.bench.js'],
  ['heartbeats', './heartbeats.bench.js'],
  ['gtm', './gtm.bench.js'],
  ['autoscaler', './autoscaler.bench.js'],
];

if (jsonFile) writeFileSync(jsonFile, '');
let failed = false;
for (const [name, file] of SUITES) {
  if (only && only !== name) continue;
  process.stdout.write(`\n== ${name} ==\n`);
  try {
    const { run } = await import(file);
    const results = await run();
    const rows = results.map((r) => [r.name, formatValue(r.value), r.unit, r.baseline !== undefined ? formatValue(r.baseline) : '', r.ratio !== undefined ? r.ratio.toFixed(3) : '', r.note ?? '']);
    printTable(['name', 'value', 'unit', 'baseline', 'ratio', 'note'], rows);
    if (jsonFile) for (const r of results) {
      const line = { name: r.name, value: r.value, unit: r.unit };
      if (r.nodes !== undefined) line.nodes = r.nodes;
      if (r.baseline !== undefined) line.baseline = r.baseline;
      if (r.ratio !== undefined) line.ratio = r.ratio;
      appendFileSync(jsonFile, JSON.stringify(line) + '\n');
    }
  } catch (err) {
    failed = true;
    process.stderr.write(`${name}: benchmark failed: ${err?.stack ?? err}\n`);
  }
}
process.exit(failed ? 1 : 0);

function formatValue(v) {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toFixed(4);
}

function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write(line(header) + '\n' + line(widths.map((w) => '-'.repeat(w))) + '\n');
  for (const r of rows) process.stdout.write(line(r) + '\n');
}
