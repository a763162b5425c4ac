import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { killProcesses } from './own-redis';
import { waitUntil } from './wait';

const run = promisify(execFile);

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A loopback port that is free, and whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 25000);
    if (taken.has(port) || taken.has(port + 10000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10000))) {
      taken.add(port).add(port + 10000);
      return port;
    }
  }
}

/**
 * A Redis Cluster of the test's own on loopback: `masters` redis-server processes in cluster
 * mode (and `replicas` per master), each in its own directory under the OS temp dir, joined by
 * `redis-cli --cluster create`; ready once every node reports cluster_state:ok.
 */
export class OwnCluster {
  readonly ports: number[] = [];
  private readonly children: ChildProcess[] = [];
  private dir = '';

  constructor(
    private readonly masters = 3,
    private readonly replicas = 0,
  ) {}

  /** REDIS_CLUSTER_NODES for the service. */
  get nodes(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  async start(): Promise<this> {
    await run('redis-cli', ['--version']).catch(() => {
      throw new Error(
        'redis-cli is missing: it ships with redis-server (apt-get install redis-server)',
      );
    });
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'synckairos-cluster-'));
    const taken = new Set<number>();
    const count = this.masters * (1 + this.replicas);
    for (let i = 0; i < count; i++) this.ports.push(await freeClusterPort(taken));
    for (const port of this.ports) this.children.push(this.spawnNode(port));
    for (const port of this.ports) await this.untilAnswering(port);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...this.ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      String(this.replicas),
      '--cluster-yes',
    ]);
    for (const port of this.ports) await this.untilClusterOk(port);
    return this;
  }

  async stop(): Promise<void> {
    await killProcesses(this.children.splice(0));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private spawnNode(port: number): ChildProcess {
    const dir = path.join(this.dir, String(port));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    return spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '2000',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
  }

  private async untilAnswering(port: number): Promise<void> {
    await this.probe(port, (redis) => redis.ping(), 'PONG');
  }

  private async untilClusterOk(port: number): Promise<void> {
    await this.probe(
      port,
      async (redis) => (await redis.cluster('INFO')).includes('cluster_state:ok'),
      true,
    );
  }

  private async probe<T>(port: number, ask: (r: Redis) => Promise<T>, want: T): Promise<void> {
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
