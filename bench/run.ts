/**
 * The benchmark suite: `npm run bench` (after `npm run build`). Starts two instances of the
 * built service on this machine (or uses BENCH_URLS), loads them, and prints one table.
 *
 * Same machine, same run: compare the ratios, not the absolute numbers, across machines.
 * Knobs: BENCH_SESSIONS (300), BENCH_CONNECTIONS (50), BENCH_SECONDS (10), and those of the
 * fan-out and deadline benchmarks (see fanout.ts, deadlines.ts). Then the cluster run
 * (cluster.ts: standalone against Redis Clusters the bench starts itself); BENCH_CLUSTER=0
 * skips it, and so does BENCH_URLS.
 */
import { Queue } from 'bullmq';
import os from 'node:os';
import { Client } from 'pg';
import { runCluster } from './cluster';
import { runDeadlines, DeadlineResult } from './deadlines';
import { runFanout, FanoutResult } from './fanout';
import { deleteKeys } from './lib/cleanup';
import { CpuMeter } from './lib/cpu';
import { closeAgent, request } from './lib/http';
import { BENCH_PREFIX, benchEnv, startInstances, stopInstances } from './lib/instances';
import {
  createRunningSessions,
  load,
  LOAD_CONNECTIONS,
  LOAD_SECONDS,
  LoadResult,
} from './lib/load';
import { RedisStats } from './lib/redis-stats';
import { fmt } from './lib/stats';
import { runSocketSwitch } from './socket-switch';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 300);
const SWITCH_BODY = '{}';
const AUDIT =
  process.env.AUDIT_ENABLED === 'false'
    ? 'audit OFF (AUDIT_ENABLED=false)'
    : 'audit on (worker in the API process)';

/** Acknowledged switches against what the sessions and the audit trail hold afterwards. */
interface Accounting {
  acknowledged: number;
  inState: number;
  inAudit: number;
}

interface Report {
  loads: LoadResult[];
  accounting: Accounting;
  commandsPerSwitch: Map<string, number>;
  executedPerSwitch: number;
  bytesPerSession: number;
  auditDrainMs: number;
  auditBacklogAtEnd: number;
  /** Audit jobs waiting, sampled every second through the switch phase (warm-up included). */
  auditDepths: number[];
  fanout: FanoutResult;
  deadlines: DeadlineResult;
}

async function auditBacklog(): Promise<number> {
  const queue = new Queue('audit', {
    connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    prefix: `{${BENCH_PREFIX}}`,
  });
  try {
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return c.waiting + c.active + c.delayed + c.prioritized;
  } finally {
    await queue.close();
  }
}

/**
 * Every session started at version 2 (created, started), and every acknowledged switch made
 * one version and one audit event: the sum of the versions gained, and the events recorded
 * after version 2, must both equal the switches acknowledged.
 */
async function account(url: string, ids: string[], acknowledged: number): Promise<Accounting> {
  let inState = 0;
  for (const id of ids)
    inState += (await request(url, 'GET', `/v1/sessions/${id}`)).body.data.version - 2;
  const pg = new Client({ connectionString: benchEnv().DATABASE_URL });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ n: string }>(
      'SELECT count(*) AS n FROM sync_events WHERE session_id = ANY($1) AND version > 2',
      [ids],
    );
    return { acknowledged, inState, inAudit: Number(rows[0].n) };
  } finally {
    await pg.end();
  }
}

function verdict(a: Accounting): string {
  const lost = a.inState < a.acknowledged || a.inAudit !== a.inState;
  return lost ? 'MISMATCH' : 'every acknowledged switch is in both';
}

async function measure(urls: string[], meter: CpuMeter): Promise<Report> {
  const [a, b] = urls;
  const stats = new RedisStats();
  try {
    const ids = await createRunningSessions(a, `bench-${Date.now()}`, SESSIONS);
    const loads: LoadResult[] = [];
    loads.push(await load('GET /v1/time', a, 'GET', ['/v1/time'], undefined, meter));
    // The switch phase right after the time phase: the ratio of two adjacent phases holds best
    // on a machine whose speed drifts.
    const before = await stats.commandCalls();
    const auditDepths: number[] = [];
    const sampler = setInterval(
      () =>
        void auditBacklog().then(
          (n) => auditDepths.push(n),
          () => undefined,
        ),
      1000,
    );
    const switches = await load(
      'POST /v1/sessions/:id/switch',
      a,
      'POST',
      ids.map((id) => `/v1/sessions/${id}/switch`),
      SWITCH_BODY,
      meter,
    );
    clearInterval(sampler);
    const switchEnd = Date.now();
    const backlog = await auditBacklog();
    let drained = backlog;
    while (drained > 0 && Date.now() - switchEnd < 120_000) {
      await new Promise((r) => setTimeout(r, 100));
      drained = await auditBacklog();
    }
    const auditDrainMs = Date.now() - switchEnd;
    const accounting = await account(a, ids, switches.acknowledged);
    const executed = RedisStats.delta(before, await stats.commandCalls());
    loads.push(
      await load(
        'GET /v1/sessions/:id',
        a,
        'GET',
        ids.map((id) => `/v1/sessions/${id}`),
        undefined,
        meter,
      ),
    );
    loads.push(switches);

    // Round trips: what one switch sends to Redis, counted on a quiet instance.
    const sample = 100;
    const perClient = await stats.topLevelCommands(async () => {
      for (let i = 0; i < sample; i++)
        await request(a, 'POST', `/v1/sessions/${ids[i % ids.length]}/switch`, {});
    });
    const commandsPerSwitch = new Map([...perClient].map(([k, n]) => [k, n / sample]));

    loads.push(await runSocketSwitch(a, ids.slice(0, LOAD_CONNECTIONS)));
    const bytesPerSession = await stats.memoryPerKey(`${BENCH_PREFIX}:session:*`);
    const totalExecuted = [...executed.values()].reduce((s, n) => s + n, 0);
    const fanout = await runFanout(a, b);
    const deadlines = await runDeadlines(urls);
    return {
      loads,
      accounting,
      commandsPerSwitch,
      executedPerSwitch: totalExecuted / switches.requests,
      bytesPerSession,
      auditDrainMs,
      auditBacklogAtEnd: backlog,
      auditDepths,
      fanout,
      deadlines,
    };
  } finally {
    stats.close();
  }
}

function print(r: Report): void {
  const time = r.loads[0];
  const sw = r.loads.find((l) => l.name.startsWith('POST'));
  const rows = r.loads.map(
    (l) =>
      `| ${l.name} | ${fmt(l.rps, 0)} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${l.errors + l.non2xx} | ${fmt(l.rps / time.rps, 2)} |`,
  );
  const cpuRows = r.loads.flatMap((l) => {
    const c = l.cpu;
    if (!c) return [];
    const us = (seconds: number) => fmt((seconds * 1e6) / l.requests, 0);
    const total = c.app + c.redis + c.postgres + c.load;
    return [
      `| ${l.name} | ${us(c.app)} | ${us(c.redis)} | ${us(c.postgres)} | ${us(c.load)} | ${us(total)} | ${fmt(total / LOAD_SECONDS / os.cpus().length, 2)} |`,
    ];
  });
  // The request path's connections: the state client, and the producer that adds the jobs of
  // each event-loop turn in one pipeline.
  const onRequestPath = (k: string) => /^synckairos:(state|producer) /.test(k);
  const requestPath = [...r.commandsPerSwitch]
    .filter(([k]) => onRequestPath(k))
    .map(([k, n]) => `${k.replace('synckairos:', '')} ${fmt(n, 2)}`)
    .join(', ');
  const workers = [...r.commandsPerSwitch]
    .filter(([k]) => !onRequestPath(k))
    .map(([k, n]) => `${k} ${fmt(n, 2)}`)
    .join(', ');
  console.log(`
SyncKairos benchmark, ${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}
${SESSIONS} running sessions, ${LOAD_CONNECTIONS} connections, ${LOAD_SECONDS} s per phase (after a warm-up), ${AUDIT}, rate limits off

| load | req/s | p50 ms | p99 ms | errors | vs /v1/time |
|---|---|---|---|---|---|
${rows.join('\n')}

CPU per request, µs (the instance under test, Redis, PostgreSQL, the load generator), and the share of the machine in use:

| load | app | Redis | PostgreSQL | load generator | total | machine busy |
|---|---|---|---|---|---|---|
${cpuRows.join('\n')}

| figure | value |
|---|---|
| switches acknowledged / in the final states / in the audit trail (autocannon stops each phase with up to ${LOAD_CONNECTIONS} switches in flight: they land, uncounted) | ${r.accounting.acknowledged} / ${r.accounting.inState} / ${r.accounting.inAudit}: ${verdict(r.accounting)} |
| switch / time throughput | ${fmt((sw?.rps ?? 0) / time.rps, 2)} (p99 ${fmt(sw?.p99 ?? NaN)} ms vs ${fmt(time.p99)} ms) |
| Redis commands sent per switch, request path (a producer pipeline is one round trip) | ${requestPath} |
| Redis commands sent per switch, off the request path | ${workers} |
| Redis commands executed per switch (INFO commandstats, scripts' inner calls included, everything) | ${fmt(r.executedPerSwitch, 1)} |
| Redis memory per session (MEMORY USAGE of its key) | ${fmt(r.bytesPerSession, 0)} bytes |
| audit queue depth through the switch phase, sampled each second (jobs waiting or active) | ${r.auditDepths.join(' ')} |
| audit backlog when the switch phase ended | ${r.auditBacklogAtEnd} jobs, drained ${fmt(r.auditDrainMs / 1000, 1)} s later |
| fan-out: ${r.fanout.clients} clients on A, ${r.fanout.switches} switches via B | delivered ${r.fanout.delivered}/${r.fanout.expected}, p50 ${fmt(r.fanout.latency.p50)} ms, p99 ${fmt(r.fanout.latency.p99)} ms |
| deadlines: ${r.deadlines.sessions} due within ${Number(process.env.DEADLINE_WINDOW_MS ?? 10_000) / 1000} s | fired ${r.deadlines.fired}, missed ${r.deadlines.missed}, twice ${r.deadlines.duplicated}; lateness p50 ${fmt(r.deadlines.lateness.p50)} ms, p99 ${fmt(r.deadlines.lateness.p99)} ms, max ${fmt(r.deadlines.lateness.max)} ms |
`);
}

async function main(): Promise<void> {
  const instances = await startInstances(
    2,
    { SOCKET_MAX_JOINS_PER_10S: '1000', SOCKET_MAX_COMMANDS_PER_S: '100000' },
    // B only sends the fan-out's switches: A's in-process worker consumes every audit job, as
    // the goal has it, and A's throughput is not B's consumer's CPU on the same cores.
    [{}, { AUDIT_WORKER: 'false' }],
  );
  try {
    print(
      await measure(
        instances.map((i) => i.url),
        new CpuMeter(instances[0].process?.pid),
      ),
    );
  } finally {
    closeAgent();
    await stopInstances(instances);
    await deleteKeys(BENCH_PREFIX);
  }
  if (process.env.BENCH_CLUSTER !== '0' && !process.env.BENCH_URLS) await runCluster();
  closeAgent();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
