import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './own-redis';
import { waitUntil } from './wait';

const run = promisify(execFile);

/** Debian's PostgreSQL binaries (the newest installed version): initdb and postgres are not on PATH. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error(
      'initdb is missing: install PostgreSQL (apt-get install postgresql; npm test does it when root)',
    );
  return path.join(root, versions[0], 'bin');
}

/** initdb and postgres refuse to run as root: as root, they run as the `postgres` OS user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line)
    throw new Error('no postgres OS user to run PostgreSQL as (apt-get install postgresql)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** PIDs whose parent is `parent` (a postmaster's backends and auxiliary processes). */
function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command name: state, ppid, ...
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Clusters still running when the test process exits (a failed test, a timeout). */
const running = new Set<OwnPostgres>();
process.once('exit', () => {
  for (const pg of running) pg.killNow();
});

/**
 * A PostgreSQL of the test's own: a cluster initdb'd into a temp dir, on a loopback port of its
 * own, so that a test can stop it, SIGKILL it, freeze it and start it again on the same data
 * without touching the machine's PostgreSQL. fsync is off: the data only has to outlive a
 * restart of the server, not of the machine.
 */
export class OwnPostgres {
  private child: ChildProcess | null = null;
  private dir = '';
  port = 0;

  constructor(private readonly database = 'synckairos_test') {}

  /** DATABASE_URL for the service. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${this.database}`;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** initdb, start, and create the database (the service runs its migrations at boot). */
  async start(): Promise<this> {
    const bin = postgresBinDir();
    const user = serverUser();
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'synckairos-pg-'));
    if (user) chownSync(this.dir, user.uid, user.gid);
    running.add(this);
    await run(
      path.join(bin, 'initdb'),
      [
        '-D',
        this.dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      { ...user, env: { ...process.env, LC_ALL: 'C' } },
    );
    this.port = await freePort();
    await this.launch();
    const admin = new Client({ connectionString: this.urlOf('postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${this.database}"`);
    } finally {
      await admin.end();
    }
    return this;
  }

  /** SIGSTOP the server and every backend: connections stay open, nothing answers. */
  freeze(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    signal(pid, 'SIGSTOP');
    for (const child of childrenOf(pid)) signal(child, 'SIGSTOP');
  }

  thaw(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    for (const child of childrenOf(pid)) signal(child, 'SIGCONT');
    signal(pid, 'SIGCONT');
  }

  /** A fast shutdown (SIGINT): open connections are ended, the data stays for restart(). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.thaw();
    await this.exited(child, () => child.kill('SIGINT'));
  }

  /** SIGKILL, the server and its backends at once: a crash; restart() recovers the data. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    await this.exited(child, () => this.killNow());
  }

  /** Starts again on the same port and data directory. */
  async restart(): Promise<void> {
    await this.launch();
  }

  /** Kills whatever still runs and removes the data directory. */
  async cleanup(): Promise<void> {
    await this.kill();
    running.delete(this);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = '';
  }

  /** Synchronous, for the exit hook: SIGCONT and SIGKILL to the postmaster and its children. */
  killNow(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    const pids = [pid, ...childrenOf(pid)];
    for (const p of pids) signal(p, 'SIGCONT');
    for (const p of pids) signal(p, 'SIGKILL');
  }

  private urlOf(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private async exited(child: ChildProcess, end: () => void): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      end();
      await gone;
    }
    this.child = null;
  }

  private async launch(): Promise<void> {
    const args = ['-D', this.dataDir, '-p', String(this.port), '-k', this.dir];
    for (const setting of [
      'listen_addresses=127.0.0.1',
      'fsync=off',
      'synchronous_commit=off',
      'full_page_writes=off',
      'max_connections=100',
    ])
      args.push('-c', setting);
    const child = spawn(path.join(postgresBinDir(), 'postgres'), args, {
      ...serverUser(),
      stdio: 'ignore',
    });
    this.child = child;
    await waitUntil(
      () => this.answers(),
      (ok) => ok || child.exitCode !== null,
      20_000,
      100,
    );
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
  }

  private async answers(): Promise<boolean> {
    const probe = new Client({
      connectionString: this.urlOf('postgres'),
      connectionTimeoutMillis: 1000,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return true;
    } catch {
      return false;
    } finally {
      await probe.end().catch(() => undefined);
    }
  }
}
