#!/usr/bin/env node
// `npm run lint`, after `tsc -b` has type-checked every library and app:
//   1. the tests type-check too (vitest runs them without checking types);
//   2. no test is focused or skipped (`.only`, `.skip`, `.todo`, `xit`, `xdescribe`);
//   3. no tracked file carries an absolute path of the machine it was written on, and none
//      carries a secret-looking assignment (a private key block, an AWS key id).
// Prints one `FILE:LINE: message` per finding and exits 1 when there is any.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const findings = [];

// 1. Tests type-check.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const checked = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.tests.json')], { cwd: root, encoding: 'utf8' });
if (checked.status !== 0) {
  for (const line of (checked.stdout + checked.stderr).split('\n')) if (line.trim()) findings.push(line.trim());
}

// 2 and 3: over every tracked text file.
const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
const TEXT = /\.(ts|js|mjs|cjs|json|ya?ml|md|sh|tf|tfvars|hcl|conf|service|toml|txt)$|(^|\/)(Dockerfile|\.ci\/run)$/;
const FOCUS = /\b(it|test|describe|suite)\.(only|skip|todo)\s*\(|\b(xit|xdescribe|fit|fdescribe)\s*\(/;
const MACHINE_PATH = /(^|[\s"'(`=:])\/(work|home|Users)\/[A-Za-z0-9._-]+|\/tmp\/bash_jobs/;
const SECRET = /-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b/;
const SELF = 'scripts/lint.js';

for (const file of files) {
  if (!TEXT.test(file) || file === SELF || file === 'package-lock.json') continue;
  let text;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    continue; // listed but absent (a sparse or partial checkout)
  }
  const isTest = /(^|\/)test\//.test(file) && /\.(ts|js)$/.test(file);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (isTest && FOCUS.test(line)) findings.push(`${file}:${i + 1}: a focused or skipped test`);
    if (MACHINE_PATH.test(line)) findings.push(`${file}:${i + 1}: an absolute path of a development machine`);
    if (SECRET.test(line) && !/test|example|standin/i.test(file)) findings.push(`${file}:${i + 1}: what looks like a secret`);
  }
}

for (const f of findings) process.stdout.write(f + '\n');
if (findings.length > 0) {
  process.stdout.write(`lint: ${findings.length} finding(s)\n`);
  process.exit(1);
}
process.stdout.write(`lint: ${files.length} files, tests type-check, no findings\n`);
