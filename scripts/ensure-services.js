#!/usr/bin/env node
/* eslint-disable */
/**
 * Makes sure Redis and PostgreSQL answer before the service or the tests start.
 *
 * It uses REDIS_URL / DATABASE_URL when they answer. Otherwise, for services on this machine,
 * it starts them: with Docker Compose when a Docker engine answers, else with Debian's
 * redis-server and postgresql, installing them with apt-get when they are missing and we are
 * root. Then it creates the database (and, with --test, the test database).
 *
 *   node scripts/ensure-services.js          # for `npm start`
 *   node scripts/ensure-services.js --test   # for `npm test`
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');

const ROOT = path.resolve(__dirname, '..');
const TEST = process.argv.includes('--test');
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/synckairos';
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/synckairos_test';

const log = (msg) => console.log(`[ensure-services] ${msg}`);
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const isLocal = (host) => ['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (res.status !== 0) throw new Error(`${cmd} exited with ${res.status}`);
}

function dockerAnswers() {
  if (!has('docker')) return false;
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 }).status === 0;
}

let aptUpdated = false;
function aptInstall(pkgs) {
  if (!isRoot() || !has('apt-get')) {
    throw new Error(`${pkgs.join(', ')} missing: install ${pkgs.join(' ')} (sudo apt-get install ${pkgs.join(' ')}) or set REDIS_URL/DATABASE_URL`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) run('apt-get', ['update', '-q'], { env });
  aptUpdated = true;
  run('apt-get', ['install', '-y', '-q', ...pkgs], { env });
}

function tcpOpen(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, '') || '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(what, check, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(300);
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

// ---------------------------------------------------------------- Redis

async function redisAnswers(url) {
  const Redis = require('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function ensureRedis() {
  if (await redisAnswers(REDIS_URL)) return log(`Redis answers at ${REDIS_URL}`);
  const { hostname, port } = new URL(REDIS_URL);
  if (!isLocal(hostname)) throw new Error(`Redis at ${REDIS_URL} does not answer`);
  if (dockerAnswers()) {
    run('docker', ['compose', 'up', '-d', '--wait', 'redis'], { cwd: ROOT });
  } else {
    if (!has('redis-server')) aptInstall(['redis-server']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synckairos-redis-'));
    run('redis-server', [
      '--daemonize', 'yes', '--bind', '127.0.0.1', '--port', port || '6379',
      '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', path.join(dir, 'redis.log'),
    ]);
  }
  await waitFor('Redis', () => redisAnswers(REDIS_URL));
  log(`Redis is up at ${REDIS_URL}`);
}

// ----------------------------------------------------------- PostgreSQL

function maintenanceUrl(url) {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

/** 'ok', 'auth' (answers, refuses us), or 'down'. */
async function pgStatus(url) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: maintenanceUrl(url), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return 'ok';
  } catch (err) {
    return ['28P01', '28000'].includes(err.code) ? 'auth' : 'down';
  } finally {
    await client.end().catch(() => {});
  }
}

function clusters() {
  if (!fs.existsSync('/etc/postgresql')) return [];
  return fs.readdirSync('/etc/postgresql').filter((v) => fs.existsSync(`/etc/postgresql/${v}/main`));
}

/** A fresh Debian cluster asks for a password on TCP; a development machine trusts loopback. */
function trustLoopback(version) {
  const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
  const lines = 'host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n';
  const current = fs.readFileSync(hba, 'utf8');
  if (!current.startsWith(lines)) fs.writeFileSync(hba, `${lines}${current}`);
  run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'reload']);
}

async function ensurePostgres(url) {
  let status = await pgStatus(url);
  if (status === 'ok') return log(`PostgreSQL answers at ${new URL(url).host}`);
  const { hostname } = new URL(url);
  if (!isLocal(hostname)) throw new Error(`PostgreSQL at ${new URL(url).host} ${status === 'auth' ? 'refuses the credentials' : 'does not answer'}`);
  if (status === 'down' && dockerAnswers()) {
    run('docker', ['compose', 'up', '-d', '--wait', 'postgres'], { cwd: ROOT });
  } else if (status === 'down') {
    if (clusters().length === 0) aptInstall(['postgresql']);
    for (const version of clusters()) {
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    }
  }
  await waitFor('PostgreSQL', async () => (status = await pgStatus(url)) !== 'down');
  if (status === 'auth') {
    if (!isRoot() || clusters().length === 0) throw new Error('PostgreSQL refuses the credentials in DATABASE_URL');
    log('PostgreSQL asks for a password on loopback; trusting 127.0.0.1 and ::1 for this development cluster');
    for (const version of clusters()) trustLoopback(version);
    await waitFor('PostgreSQL', async () => (await pgStatus(url)) === 'ok');
  }
  log(`PostgreSQL is up at ${new URL(url).host}`);
}

async function ensureDatabase(url) {
  const { Client } = require('pg');
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  const client = new Client({ connectionString: maintenanceUrl(url) });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      log(`created database ${name}`);
    }
  } catch (err) {
    if (err.code !== '42P04') throw err; // created by a concurrent run
  } finally {
    await client.end();
  }
}

async function main() {
  await ensureRedis();
  const url = TEST ? TEST_DATABASE_URL : DATABASE_URL;
  await ensurePostgres(url);
  await ensureDatabase(url);
  // The fault tests initdb a PostgreSQL of their own (test/support/own-postgres.ts).
  const versions = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql') : [];
  const initdb = versions.some((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
  if (TEST && !initdb) aptInstall(['postgresql']);
}

main().catch((err) => {
  console.error(`[ensure-services] ${err.message}`);
  process.exit(1);
});
