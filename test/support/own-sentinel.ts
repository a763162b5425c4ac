import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort, killProcesses } from './own-redis';
import { waitUntil } from './wait';

/**
 * A Sentinel-managed Redis of the test's own on loopback: a primary, one replica and one
 * Sentinel (quorum 1) watching them as `name`, each on a free port, in a temp directory.
 */
export class OwnSentinel {
  readonly name = 'sk-test-primary';
  sentinelPort = 0;
  readonly dataPorts: number[] = [];
  private readonly children: ChildProcess[] = [];
  private dir = '';

  /** REDIS_SENTINELS for the service. */
  get sentinels(): string {
    return `127.0.0.1:${this.sentinelPort}`;
  }

  async start(): Promise<this> {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'synckairos-sentinel-'));
    const [primary, replica] = [await freePort(), await freePort()];
    this.dataPorts.push(primary, replica);
    this.sentinelPort = await freePort();
    const base = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.spawn(['--port', String(primary), ...base]);
    this.spawn(['--port', String(replica), ...base, '--replicaof', '127.0.0.1', String(primary)]);
    await this.until(primary, (r) => r.ping(), 'PONG');
    await this.until(
      replica,
      async (r) => ((await r.info('replication')).includes('master_link_status:up') ? 1 : 0),
      1,
    );
    const conf = path.join(this.dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${this.sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${this.name} 127.0.0.1 ${primary} 1`,
        `sentinel down-after-milliseconds ${this.name} 1000`,
        `sentinel failover-timeout ${this.name} 5000`,
        '',
      ].join('\n'),
    );
    this.spawn([conf, '--sentinel']);
    await this.until(this.sentinelPort, () => this.primaryPort(), primary);
    return this;
  }

  /** Has the Sentinel promote the replica; resolves once it names the new primary. */
  async failover(): Promise<void> {
    const sentinel = new Redis(this.sentinelPort, '127.0.0.1', { maxRetriesPerRequest: 0 });
    try {
      const before = await this.primaryPort();
      await waitUntil(
        () => sentinel.call('SENTINEL', 'FAILOVER', this.name).catch((e: Error) => e.message),
        (r) => r === 'OK',
        20_000,
        200,
      );
      await waitUntil(
        () => this.primaryPort(),
        (port) => port !== before && port !== 0,
        20_000,
        100,
      );
    } finally {
      sentinel.disconnect();
    }
  }

  /** The port of the primary the Sentinel names now. */
  async primaryPort(): Promise<number> {
    const sentinel = new Redis(this.sentinelPort, '127.0.0.1', { maxRetriesPerRequest: 0 });
    try {
      const addr = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', this.name)) as
        string[] | null;
      return addr ? Number(addr[1]) : 0;
    } finally {
      sentinel.disconnect();
    }
  }

  async stop(): Promise<void> {
    await killProcesses(this.children.splice(0));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private spawn(args: string[]): void {
    this.children.push(spawn('redis-server', args, { stdio: 'ignore', cwd: this.dir }));
  }

  private async until<T>(port: number, ask: (r: Redis) => Promise<T>, want: T): Promise<void> {
    const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await waitUntil(
        () => ask(redis).catch(() => null),
        (r) => r === want,
        20_000,
        50,
      );
    } finally {
      redis.disconnect();
    }
  }
}
