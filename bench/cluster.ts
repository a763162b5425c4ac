/**
 * The cluster part of `npm run bench` (also alone: `npx ts-node --transpile-only bench/cluster.ts`
 * after `npm run build`). The same switch load against one instance of the built service on
 * each Redis the bench starts itself on loopback ports: a standalone redis-server, a Redis
 * Cluster of 1 master and of 3 masters, and of 3 masters with a replica each (writes WAIT for
 * it, as REDIS_WAIT_REPLICAS=auto has it, and the same cluster with REDIS_WAIT_REPLICAS=0 beside
 * it: what WAIT costs). Rounds alternate the targets, so a slow minute of a shared machine
 * falls on all of them; the figures are medians of the rounds.
 * Redis CPU per switch is INFO cpu (used_cpu_sys + used_cpu_user) of the masters over a phase,
 * divided by the switches answered: that, not the throughput of one instance on a small
 * machine, is what bounds a cluster's capacity.
 * Knobs: BENCH_CLUSTER_ROUNDS (3), BENCH_CLUSTER_SECONDS (10), BENCH_CLUSTER_WARMUP_SECONDS (2),
 * BENCH_CLUSTER_TARGETS (comma-separated names below, default all), BENCH_SESSIONS (300).
 */
import os from 'node:os';
import { CpuMeter } from './lib/cpu';
import { closeAgent } from './lib/http';
import { BENCH_PREFIX, Instance, startInstances, stopInstances } from './lib/instances';
import { createRunningSessions, load, LOAD_CONNECTIONS, LoadResult } from './lib/load';
import { OwnRedis, RedisCpu } from './lib/own-redis';
import { fmt, median } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_CLUSTER_ROUNDS ?? 3);
const LENGTH = {
  warmup: Number(process.env.BENCH_CLUSTER_WARMUP_SECONDS ?? 2),
  seconds: Number(process.env.BENCH_CLUSTER_SECONDS ?? 10),
};
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 300);

/** What one instance runs against; targets with the same `redis` share one Redis. */
interface Target {
  name: string;
  redis: 'standalone' | '1m' | '3m' | '3m3r';
  env?: Record<string, string>;
}

const TARGETS: Target[] = [
  { name: 'standalone', redis: 'standalone' },
  { name: 'cluster-1', redis: '1m' },
  { name: 'cluster-3', redis: '3m' },
  { name: 'cluster-3r-wait', redis: '3m3r' },
  { name: 'cluster-3r-nowait', redis: '3m3r', env: { REDIS_WAIT_REPLICAS: '0' } },
];

const SHAPES: Record<Target['redis'], [masters: number, replicas: number, label: string]> = {
  standalone: [0, 0, 'standalone redis-server'],
  '1m': [1, 0, 'Cluster, 1 master'],
  '3m': [3, 0, 'Cluster, 3 masters'],
  '3m3r': [3, 1, 'Cluster, 3 masters + 3 replicas'],
};

interface Phase {
  load: LoadResult;
  /**
   * Redis CPU µs per switch answered: every master, the busiest master, the replicas; `net`:
   * less what the masters spend idle (cron, cluster bus, the instances' pollers) in as long.
   */
  mastersUs: number;
  busiestUs: number;
  replicasUs: number;
  mastersNetUs: number;
  busiestNetUs: number;
}

interface Running {
  target: Target;
  redis: OwnRedis;
  instance: Instance;
  paths: string[];
  phases: Phase[];
  /** CPU seconds per second each master spends with no load. */
  idle: Map<number, number>;
}

const IDLE_SECONDS = 10;

function redisUs(
  before: RedisCpu,
  after: RedisCpu,
  switches: number,
  idle: Map<number, number>,
  seconds: number,
) {
  const spent = [...after.masters].map(([port, s]) => s - (before.masters.get(port) ?? 0));
  const net = [...after.masters].map(([port], i) => spent[i] - (idle.get(port) ?? 0) * seconds);
  const us = (cpu: number) => (cpu * 1e6) / switches;
  const sum = (xs: number[]) => xs.reduce((total, x) => total + x, 0);
  return {
    mastersUs: us(sum(spent)),
    busiestUs: us(Math.max(...spent)),
    replicasUs: us(after.replicas - before.replicas),
    mastersNetUs: us(sum(net)),
    busiestNetUs: us(Math.max(...net)),
  };
}

/** What each master of `redis` spends per second with every instance up and no load. */
async function idleOf(redis: OwnRedis): Promise<Map<number, number>> {
  const before = await redis.cpu();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const after = await redis.cpu();
  return new Map(
    [...after.masters].map(([port, s]) => [
      port,
      (s - (before.masters.get(port) ?? 0)) / IDLE_SECONDS,
    ]),
  );
}

async function phase(r: Running): Promise<void> {
  const meter = new CpuMeter(r.instance.process?.pid);
  let before: RedisCpu | undefined;
  let since = 0;
  const result = await load(
    'switch',
    r.instance.url,
    'POST',
    r.paths,
    '{}',
    meter,
    LENGTH,
    async () => {
      before = await r.redis.cpu();
      since = Date.now();
    },
  );
  const after = await r.redis.cpu();
  const seconds = (Date.now() - since) / 1000;
  r.phases.push({
    load: result,
    ...redisUs(before ?? after, after, result.requests, r.idle, seconds),
  });
}

async function start(chosen: Target[]): Promise<Running[]> {
  const redises = new Map<Target['redis'], OwnRedis>();
  const running: Running[] = [];
  try {
    for (const target of chosen) {
      const [masters, replicas] = SHAPES[target.redis];
      let redis = redises.get(target.redis);
      if (!redis) {
        redis = await new OwnRedis(masters, replicas).start();
        redises.set(target.redis, redis);
      }
      const [instance] = await startInstances(1, {
        ...redis.env(),
        REDIS_KEY_PREFIX: `${BENCH_PREFIX}-${target.name}`,
        ...target.env,
      });
      const tag = `bench-${target.name}-${Date.now()}`;
      const ids = await createRunningSessions(instance.url, tag, SESSIONS);
      const paths = ids.map((id) => `/v1/sessions/${id}/switch`);
      running.push({ target, redis, instance, paths, phases: [], idle: new Map() });
    }
    const idles = new Map<OwnRedis, Promise<Map<number, number>>>();
    for (const redis of redises.values()) idles.set(redis, idleOf(redis));
    for (const r of running) r.idle = await idles.get(r.redis)!;
    return running;
  } catch (err) {
    await stop(running, [...redises.values()]);
    throw err;
  }
}

async function stop(running: Running[], redises: OwnRedis[]): Promise<void> {
  await stopInstances(running.map((r) => r.instance));
  await Promise.all(redises.map((redis) => redis.stop()));
}

function print(running: Running[]): void {
  const med = (r: Running, f: (p: Phase) => number) => median(r.phases.map(f));
  const rps = (r: Running) => med(r, (p) => p.load.rps);
  const byName = new Map(running.map((r) => [r.target.name, r]));
  const rows = running.map((r) => {
    const [, , label] = SHAPES[r.target.redis];
    const wait = r.target.redis === '3m3r' ? (r.target.env ? ', WAIT off' : ', WAIT 1') : '';
    const failed = r.phases.reduce((s, p) => s + p.load.errors + p.load.non2xx, 0);
    const app = med(r, (p) => ((p.load.cpu?.app ?? 0) * 1e6) / p.load.requests);
    const busiest = med(r, (p) => p.busiestUs);
    const busiestNet = med(r, (p) => p.busiestNetUs);
    const pair = (raw: number, net: number) => `${fmt(raw, 0)} (${fmt(net, 0)})`;
    const masters = pair(
      med(r, (p) => p.mastersUs),
      med(r, (p) => p.mastersNetUs),
    );
    const replicas =
      r.target.redis === '3m3r'
        ? fmt(
            med(r, (p) => p.replicasUs),
            0,
          )
        : '-';
    const rounds = r.phases.map((p) => fmt(p.load.rps, 0)).join(', ');
    const p99 = fmt(med(r, (p) => p.load.p99));
    return [
      `${label}${wait}`,
      fmt(rps(r), 0),
      rounds,
      p99,
      failed,
      fmt(app, 0),
      masters,
      pair(busiest, busiestNet),
      replicas,
      `${fmt(1e6 / busiest, 0)} (${fmt(1e6 / busiestNet, 0)})`,
    ].join(' | ');
  });
  const ratio = (a: string, b: string) => {
    const x = byName.get(a);
    const y = byName.get(b);
    return x && y ? fmt(rps(x) / rps(y), 2) : '-';
  };
  console.log(`
SyncKairos on a Redis Cluster, ${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}
One instance per target, ${SESSIONS} running sessions, ${LOAD_CONNECTIONS} connections, POST /v1/sessions/:id/switch, ${ROUNDS} rounds of ${LENGTH.seconds} s (after ${LENGTH.warmup} s of warm-up), medians

Redis CPU µs per switch as measured, and in brackets net of what the masters spend idle (${IDLE_SECONDS} s with no load before the rounds)

| Redis | switches/s | each round | p99 ms | errors + non-2xx | app CPU µs/switch | Redis CPU µs/switch, masters | busiest master | replicas | ceiling, switches/s (1 core / busiest master) |
|---|---|---|---|---|---|---|---|---|---|
${rows.map((row) => `| ${row} |`).join('\n')}

| figure | value |
|---|---|
| throughput, 3 masters / 1 master | ${ratio('cluster-3', 'cluster-1')} |
| throughput, 1-master cluster / standalone | ${ratio('cluster-1', 'standalone')} |
| throughput, WAIT 1 / WAIT off (same cluster with replicas) | ${ratio('cluster-3r-wait', 'cluster-3r-nowait')} |
`);
}

export async function runCluster(): Promise<void> {
  const names = process.env.BENCH_CLUSTER_TARGETS?.split(',');
  const chosen = TARGETS.filter((t) => !names || names.includes(t.name));
  const running = await start(chosen);
  try {
    for (let round = 0; round < ROUNDS; round++)
      for (let i = 0; i < running.length; i++) await phase(running[(i + round) % running.length]);
    print(running);
  } finally {
    await stop(running, [...new Set(running.map((r) => r.redis))]);
  }
}

if (require.main === module)
  runCluster()
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(closeAgent);
