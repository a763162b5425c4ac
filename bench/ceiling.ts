/**
 * `npm run bench:ceiling`: the service against the framework's own ceiling. Starts a minimal
 * Nest app on Express (bench/minimal-app.ts: one JSON endpoint, no middleware) and the built
 * service (audit on, rate limits off, logs at warn), then, for BENCH_ROUNDS rounds, loads each
 * of the service's GET /v1/time, GET /v1/sessions/:id, POST …/switch and session:switch over
 * Socket.IO right next to a phase of the minimal app (which of the two goes first alternates),
 * and prints each one's throughput and p99 as a ratio to the minimal app's, the median of the
 * rounds being the figure. Then the breakdown (bench/breakdown.ts): the same service without
 * one part of the request pipeline at a time, and what each part costs in µs per request.
 * Knobs: BENCH_ROUNDS (3), BENCH_SECONDS (3), BENCH_WARMUP_SECONDS (1), BENCH_SESSIONS (300),
 * BENCH_CONNECTIONS (50), BENCH_PORT (first port), BENCH_CEILING=0 or BENCH_BREAKDOWN=0 (skip
 * that half), BENCH_PARTS and BENCH_BREAKDOWN_SECONDS (breakdown.ts), BENCH_ENV (the service's
 * settings, JSON).
 */
import { runBreakdown } from './breakdown';
import { deleteKeys } from './lib/cleanup';
import { CpuMeter } from './lib/cpu';
import { closeAgent } from './lib/http';
import {
  BENCH_PREFIX,
  Instance,
  nextPort,
  spawnNode,
  startInstances,
  stopInstances,
  waitReady,
} from './lib/instances';
import { createRunningSessions, load, LoadResult } from './lib/load';
import { describe, PHASE, SERVICE_ENV, usPerRequest } from './lib/phases';
import { median } from './lib/stats';
import { runSocketSwitch } from './socket-switch';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 300);

/** The minimal app, on a port of its own. */
async function startMinimal(): Promise<Instance> {
  const port = nextPort();
  const child = spawnNode(`${__dirname}/minimal-app.ts`, [String(port)]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, '/v1/time');
  return { url, process: child };
}

interface Load {
  name: string;
  run: (meter: CpuMeter) => Promise<LoadResult>;
}

async function main(): Promise<void> {
  if (process.env.BENCH_CEILING !== '0') await runCeiling();
  if (process.env.BENCH_BREAKDOWN !== '0') await runBreakdown();
  closeAgent();
}

async function runCeiling(): Promise<void> {
  const minimal = await startMinimal();
  const [service] = await startInstances(1, SERVICE_ENV).catch(async (err: Error) => {
    await stopInstances([minimal]);
    throw err;
  });
  const meters = {
    minimal: new CpuMeter(minimal.process?.pid),
    service: new CpuMeter(service.process?.pid),
  };
  try {
    const ids = await createRunningSessions(service.url, `ceiling-${Date.now()}`, SESSIONS);
    const get = (url: string, paths: string[]) => (name: string) => (meter: CpuMeter) =>
      load(name, url, 'GET', paths, undefined, meter, PHASE);
    const ceiling = get(minimal.url, ['/v1/time'])('minimal app GET /v1/time');
    const loads: Load[] = [
      { name: 'GET /v1/time', run: get(service.url, ['/v1/time'])('GET /v1/time') },
      {
        name: 'GET /v1/sessions/:id',
        run: get(
          service.url,
          ids.map((id) => `/v1/sessions/${id}`),
        )('GET /v1/sessions/:id'),
      },
      {
        name: 'POST /v1/sessions/:id/switch',
        run: (meter) =>
          load(
            'POST /v1/sessions/:id/switch',
            service.url,
            'POST',
            ids.map((id) => `/v1/sessions/${id}/switch`),
            '{}',
            meter,
            PHASE,
          ),
      },
      {
        name: 'session:switch (socket)',
        run: (meter) => runSocketSwitch(service.url, ids, PHASE, meter),
      },
    ];
    const ratios = new Map(
      loads.map((l) => [l.name, { rps: [] as number[], p99: [] as number[], us: [] as number[] }]),
    );
    // One pass of everything first, unmeasured: both processes' code warmed up by the JIT.
    await ceiling(meters.minimal);
    for (const l of loads) await l.run(meters.service);
    let failed = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}`);
      for (const [i, l] of loads.entries()) {
        // The minimal app's phase right before or right after the service's, alternating.
        const minimalFirst = (round + i) % 2 === 1;
        const first = minimalFirst ? await ceiling(meters.minimal) : await l.run(meters.service);
        const second = minimalFirst ? await l.run(meters.service) : await ceiling(meters.minimal);
        const [base, r] = minimalFirst ? [first, second] : [second, first];
        failed += r.errors + r.non2xx + base.errors + base.non2xx;
        const entry = ratios.get(l.name)!;
        entry.rps.push(r.rps / base.rps);
        entry.p99.push(r.p99 / base.p99);
        entry.us.push(usPerRequest(r) - usPerRequest(base));
        console.log(`  ${describe(base)}\n  ${describe(r)}`);
        console.log(
          `    ${l.name} / minimal: throughput ${entry.rps.at(-1)!.toFixed(2)}, p99 ${entry.p99.at(-1)!.toFixed(2)}×`,
        );
      }
    }
    console.log(
      `\nmedian of ${ROUNDS} rounds, ${PHASE.seconds} s phases, against the minimal app (goals: time ≥ 0.85, switch ≥ 0.50 with p99 ≤ 2×):`,
    );
    console.log('| load | throughput / minimal | p99 / minimal | app CPU over minimal, µs/req |');
    console.log('|---|---|---|---|');
    for (const [name, r] of ratios) {
      console.log(
        `| ${name} | ${median(r.rps).toFixed(2)} | ${median(r.p99).toFixed(2)}× | ${Math.round(median(r.us))} |`,
      );
    }
    console.log(`errors: ${failed}`);
  } finally {
    await stopInstances([minimal, service]);
    await deleteKeys(BENCH_PREFIX);
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
