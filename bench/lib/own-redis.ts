import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freeClusterPort } from '../../test/support/own-cluster';

const run = promisify(execFile);

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** CPU seconds Redis reports (INFO cpu: used_cpu_sys + used_cpu_user), per node. */
export interface RedisCpu {
  masters: Map<number, number>;
  replicas: number;
}

/**
 * A Redis of the bench's own on loopback ports, stopped afterwards: a standalone server
 * (`masters` 0), or a Redis Cluster of `masters` masters and `replicas` replicas each (the
 * test suites' test/support/own-cluster.ts, plus a 1-master cluster, which `redis-cli --cluster
 * create` refuses: its node takes every slot with CLUSTER ADDSLOTSRANGE). No persistence.
 */
export class OwnRedis {
  readonly ports: number[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly clients = new Map<number, Redis>();
  private dir = '';

  constructor(
    readonly masters: number,
    readonly replicas = 0,
  ) {}

  /** The service's settings to reach it. */
  env(): Record<string, string> {
    if (this.masters === 0) return { REDIS_URL: `redis://127.0.0.1:${this.ports[0]}` };
    return {
      REDIS_CLUSTER_NODES: this.ports.map((p) => `127.0.0.1:${p}`).join(','),
      SOCKET_ADAPTER: 'sharded',
    };
  }

  /** Started and joined; on a failure, what was started is stopped before the error is thrown. */
  async start(): Promise<this> {
    try {
      await this.launch();
    } catch (err) {
      await this.stop();
      throw err;
    }
    return this;
  }

  private async launch(): Promise<void> {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'synckairos-bench-redis-'));
    const taken = new Set<number>();
    // A 1-master cluster starts with a helper node (see oneMaster).
    const count = this.masters === 1 ? 2 : Math.max(1, this.masters * (1 + this.replicas));
    for (let i = 0; i < count; i++) this.ports.push(await freeClusterPort(taken));
    for (const port of this.ports) this.children.push(this.spawn(port));
    for (const port of this.ports)
      await until(async () => (await this.client(port).ping()) === 'PONG', `${port} answering`);
    if (this.masters === 1) await this.oneMaster();
    else if (this.masters > 1)
      await run('redis-cli', [
        '--cluster',
        'create',
        ...this.ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        String(this.replicas),
        '--cluster-yes',
      ]);
    if (this.masters > 0) await this.untilClusterOk();
  }

  /** Every node's CPU so far, the masters' apart (roles read now: no failover in a bench). */
  async cpu(): Promise<RedisCpu> {
    const masters = new Map<number, number>();
    let replicas = 0;
    for (const port of this.ports) {
      const info = await this.client(port).info('cpu', 'replication');
      const field = (name: string) => Number(new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1]);
      const seconds = field('used_cpu_sys') + field('used_cpu_user');
      if (/^role:master/m.test(info)) masters.set(port, seconds);
      else replicas += seconds;
    }
    return { masters, replicas };
  }

  async stop(): Promise<void> {
    for (const client of this.clients.values()) client.disconnect();
    this.clients.clear();
    await Promise.all(
      this.children.splice(0).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * A node that never met another does not know its own address (CLUSTER SLOTS answers "",
   * and a cluster client never connects): a MEET of a helper node teaches it, then the helper
   * is stopped and forgotten.
   */
  private async oneMaster(): Promise<void> {
    const [port, helperPort] = this.ports;
    const node = this.client(port);
    await node.cluster('MEET', '127.0.0.1', helperPort);
    await until(
      async () => (await node.cluster('INFO')).includes('cluster_known_nodes:2'),
      `${port} meeting the helper`,
    );
    await node.call('CLUSTER', 'ADDSLOTSRANGE', 0, 16383);
    await until(async () => {
      const slots = await node.cluster('SLOTS');
      return slots[0]?.[2]?.[0] === '127.0.0.1';
    }, `${port} knowing its address`);
    const helperId = await this.client(helperPort).cluster('MYID');
    this.ports.pop();
    this.clients.get(helperPort)?.disconnect();
    this.clients.delete(helperPort);
    const helper = this.children.pop();
    await new Promise<void>((resolve) => {
      helper?.once('exit', () => resolve());
      helper?.kill('SIGKILL');
    });
    await node.cluster('FORGET', helperId);
  }

  private async untilClusterOk(): Promise<void> {
    // Every node must know every slot's master (and, with replicas, its replicas) before load.
    const want = this.masters * (1 + this.replicas);
    for (const port of this.ports)
      await until(async () => {
        const info = await this.client(port).cluster('INFO');
        const known = Number(/cluster_known_nodes:(\d+)/.exec(info)?.[1]);
        if (!info.includes('cluster_state:ok') || known !== want) return false;
        const replication = await this.client(port).info('replication');
        const role = /^role:(\w+)/m.exec(replication)?.[1];
        if (role === 'master')
          return Number(/connected_slaves:(\d+)/.exec(replication)?.[1]) >= this.replicas;
        return /master_link_status:up/.test(replication);
      }, `${port} cluster_state:ok, replicas in sync`);
  }

  private client(port: number): Redis {
    let client = this.clients.get(port);
    if (!client) {
      client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, lazyConnect: false });
      client.on('error', () => undefined); // retried by the probes; a bench reports what fails
      this.clients.set(port, client);
    }
    return client;
  }

  private spawn(port: number): ChildProcess {
    const dir = path.join(this.dir, String(port));
    mkdirSync(dir);
    const cluster =
      this.masters === 0 ? [] : ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'];
    return spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        ...cluster,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
  }
}
