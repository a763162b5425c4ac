#!/usr/bin/env node
/* eslint-disable */
/**
 * Re-points imports of the clock to its workspace package, for a branch cut before the clock
 * moved from src/clock to packages/clock:
 *   node scripts/repoint-clock-imports.js [dir…]   (default: src test bench migrations packages/client/src)
 * `…/clock/<file>` becomes '@synckairos/clock' ('@synckairos/clock/testing' for fixtures);
 * inside packages/clock, `…/common/errors/domain-error` becomes './domain-error'.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src', 'test', 'bench', 'migrations', 'packages/client/src'];
const CLOCK = /(from\s+|import\(|require\()'(?:\.\.?\/)+(?:src\/)?clock\/([\w.-]+)'/g;
const ERRORS = /'(?:\.\.?\/)+common\/errors\/(domain-error|error-codes)'/g;

function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist') yield* files(full);
    else if (entry.isFile() && full.endsWith('.ts')) yield full;
  }
}

let changed = 0;
for (const dir of [...dirs, 'packages/clock/src']) {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) continue;
  const inClock = dir.startsWith('packages/clock');
  for (const file of files(abs)) {
    const before = fs.readFileSync(file, 'utf8');
    let after = before;
    if (inClock) after = after.replace(ERRORS, (_m, name) => `'./${name}'`);
    else after = after.replace(CLOCK, (_m, lead, name) => `${lead}'@synckairos/clock${name.endsWith('.fixtures') ? '/testing' : ''}'`);
    if (after !== before) {
      fs.writeFileSync(file, after);
      changed += 1;
      console.log(path.relative(ROOT, file));
    }
  }
}
console.log(`${changed} file(s) re-pointed; run prettier and lint: merged imports may want joining`);
