#!/usr/bin/env node
/*
 * The npm registry mirror this project is built against serves only the linux
 * builds of platform-specific optional packages (napi-rs style
 * `<pkg>-<os>-<cpu>[-<abi>]`). `npm install` then leaves the other platforms out
 * of package-lock.json and `npm ci` refuses the lock as out of sync. This script
 * restores the entries the public registry would have written (version, os, cpu,
 * libc, optional), so that `npm ci` works here and on any other platform.
 * Run it after every `npm install` that rewrites the lock file.
 */
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony'];
const CPU = {
  x64: 'x64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: 'ia32',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
};

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  for (let i = 0; i < parts.length - 1; i++) {
    if (OS.includes(parts[i]) && CPU[parts[i + 1]]) {
      const abi = parts[i + 2];
      const entry = { os: [parts[i]], cpu: [CPU[parts[i + 1]]] };
      if (parts[i] === 'linux' && abi) entry.libc = [abi.startsWith('musl') ? 'musl' : 'glibc'];
      return entry;
    }
  }
  return undefined;
}

let added = 0;
for (const [location, pkg] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    if (packages[`node_modules/${name}`]) continue;
    const platform = platformOf(name);
    if (!platform || !/^\d+\.\d+\.\d+$/.test(version)) continue;
    packages[`node_modules/${name}`] = {
      version,
      ...platform,
      ...(pkg.dev ? { dev: true } : {}),
      optional: true,
    };
    added += 1;
    console.log(`added ${name}@${version} (needed by ${location || 'the project'})`);
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${added} platform entries restored`);
