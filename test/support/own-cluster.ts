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
export async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 25000);
    if (taken.has(port) || taken.has(port + 10000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10000))) {
      taken.add(port).add(port + 10000);
      return port;
    }
  }
}

/** A node as CLUSTER NODES describes it. */
export interface ClusterNode {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** Marked failing (`fail` or `fail?`) by the node asked. */
  failing: boolean;
  /** A replica's master id. */
  masterId: string | null;
  /** Inclusive slot ranges a master serves. */
  slots: [number, number][];
}

/**
 * A Redis Cluster of the test's own on loopback: `masters` redis-server processes in cluster
 * mode (and `replicas` per master), each in its own directory under the OS temp dir, joined by
 * `redis-cli --cluster create`; ready once every node reports cluster_state:ok (and, with
 * replicas, every replica is in sync). `nodeTimeoutMs` is cluster-node-timeout: how long a
 * master may be silent before its replica takes over.
 */
export class OwnCluster {
  readonly ports: number[] = [];
  private readonly children = new Map<number, ChildProcess>();
  private dir = '';

  constructor(
    private readonly masters = 3,
    private readonly replicas = 0,
    private readonly nodeTimeoutMs = 2000,
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
    for (const port of this.ports) this.children.set(port, this.spawnNode(port, true));
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
    if (this.replicas > 0) for (const port of this.ports) await this.untilInSync(port);
    return this;
  }

  async stop(): Promise<void> {
    const children = [...this.children.values()];
    this.children.clear();
    await killProcesses(children);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGKILLs one node (a crash: no goodbye to the cluster), resolved once it has exited. */
  async kill(port: number): Promise<void> {
    const child = this.children.get(port);
    this.children.delete(port);
    if (child) await killProcesses([child]);
  }

  /** Starts a killed node again on its port and nodes.conf, so that it rejoins the cluster. */
  async restart(port: number): Promise<void> {
    this.children.set(port, this.spawnNode(port, false));
    await this.untilAnswering(port);
  }

  /** CLUSTER NODES as the first running node (other than `except`) sees it. */
  async topology(except: number[] = []): Promise<ClusterNode[]> {
    const port = [...this.children.keys()].find((p) => !except.includes(p));
    if (port === undefined) throw new Error('no cluster node is running');
    const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      return parseNodes((await redis.cluster('NODES')) as string);
    } finally {
      redis.disconnect();
    }
  }

  private spawnNode(port: number, fresh: boolean): ChildProcess {
    const dir = path.join(this.dir, String(port));
    if (fresh) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
    }
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
        String(this.nodeTimeoutMs),
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

  /** A master has all its replicas online; a replica's link to its master is up. */
  private async untilInSync(port: number): Promise<void> {
    await this.probe(
      port,
      async (redis) => {
        const info = await redis.info('replication');
        return info.includes('role:master')
          ? info.includes(`connected_slaves:${this.replicas}`) && !/state=(?!online)/.test(info)
          : info.includes('master_link_status:up');
      },
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

function parseNodes(text: string): ClusterNode[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, address, flags, master, , , , , ...slots] = line.trim().split(' ');
      const set = flags.split(',');
      return {
        id,
        port: Number(address.split('@')[0].split(':').pop()),
        role: set.includes('master') ? 'master' : 'replica',
        failing: set.includes('fail') || set.includes('fail?'),
        masterId: master === '-' ? null : master,
        slots: slots
          .filter((range) => !range.startsWith('['))
          .map((range) => {
            const [from, to = from] = range.split('-').map(Number);
            return [from, to] as [number, number];
          }),
      };
    });
}
