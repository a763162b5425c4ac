#!/usr/bin/env node
/* eslint-disable */
/**
 * Makes sure Debian's Chromium is there for the browser test of the demo page: installed with
 * apt-get when it is missing and we are root (as ensure-services.js does for Redis), never a
 * browser download of Playwright's own.
 *
 *   node scripts/ensure-chromium.js
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const log = (msg) => console.log(`[ensure-chromium] ${msg}`);
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function run(cmd, args) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const res = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (res.status !== 0) throw new Error(`${cmd} exited with ${res.status}`);
}

/** Returns the path of a Chromium to drive; throws with what to do when there is none. */
function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return CHROMIUM;
  if (!isRoot() || !has('apt-get')) {
    throw new Error(`Chromium missing at ${CHROMIUM}: install it (sudo apt-get install chromium) or set CHROMIUM_PATH`);
  }
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium']);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is not there`);
  return CHROMIUM;
}

module.exports = { ensureChromium, CHROMIUM };

if (require.main === module) {
  try {
    log(`Chromium at ${ensureChromium()}`);
  } catch (err) {
    console.error(`[ensure-chromium] ${err.message}`);
    process.exit(1);
  }
}
