/**
 * `npm run bench:ratio`: the hot-path goal alone, quickly and robustly. One instance, a few
 * hundred running sessions, then GET /v1/time and POST …/switch in alternating phases for
 * BENCH_ROUNDS rounds (3): a noisy machine slows both phases of a round alike, so each round's
 * ratio holds, and the median of the rounds is the figure. Also prints the CPU per request of
 * the app, Redis and PostgreSQL, the quickest way to see what a change to the hot path buys.
 * Knobs: those of `npm run bench` (BENCH_SESSIONS, BENCH_CONNECTIONS, BENCH_SECONDS), and
 * BENCH_ENV, a JSON object of settings for the instance (e.g. '{"RATE_LIMIT_ENABLED":"true"}').
 * BENCH_TIME_CONTROL (fide, us, bronstein, byoyomi; plain for an A/A run) adds as many sessions under that time
 * control and a third phase per round that switches them: the pair of switch phases of a
 * round gives the time control's cost against plain switches of the same minute.
 * BENCH_WEBHOOK=1 does the same with sessions that carry a webhook (to a receiver on loopback
 * that answers 204 at once): what a webhook costs the request path, deliveries included.
 */
import http from 'node:http';
import { deleteKeys } from './lib/cleanup';
import { CpuMeter } from './lib/cpu';
import { closeAgent } from './lib/http';
import { BENCH_PREFIX, startInstances, stopInstances } from './lib/instances';
import { createRunningSessions, load, LoadResult } from './lib/load';
import { median } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 300);

/**
 * Controls that do not run out during a run: each move gains at least what it spends.
 * `plain` is no control at all: an A/A run, the noise of the pairing itself.
 */
const TIME_CONTROLS: Record<string, Record<string, unknown> | null> = {
  plain: null,
  fide: {
    stages: [
      { time_ms: 5_400_000, increment_ms: 30_000, moves: 40 },
      { time_ms: 1_800_000, increment_ms: 30_000 },
    ],
  },
  us: { stages: [{ time_ms: 5_400_000, delay_ms: 5000 }], delay_kind: 'simple' },
  bronstein: { stages: [{ time_ms: 5_400_000, delay_ms: 5000 }], delay_kind: 'bronstein' },
  byoyomi: {
    stages: [{ time_ms: 1000 }],
    byoyomi: { kind: 'canadian', moves: 1, period_ms: 3_600_000 },
  },
};

function describe(r: LoadResult): string {
  const us = (seconds: number | undefined) => Math.round(((seconds ?? 0) * 1e6) / r.requests);
  const failed = r.errors + r.non2xx;
  const cpu = `app ${us(r.cpu?.app)}, Redis ${us(r.cpu?.redis)}, PostgreSQL ${us(r.cpu?.postgres)}`;
  return `${r.name}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${failed} errors; CPU µs/req: ${cpu}`;
}

interface Variant {
  name: string;
  control?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

function timeControl(): Variant | null {
  const name = process.env.BENCH_TIME_CONTROL;
  if (!name) return null;
  if (!(name in TIME_CONTROLS)) {
    throw new Error(`BENCH_TIME_CONTROL: one of ${Object.keys(TIME_CONTROLS).join(', ')}`);
  }
  return { name, control: TIME_CONTROLS[name] ?? undefined };
}

/** A webhook receiver on loopback that answers at once. */
async function receiver(): Promise<{ url: string; server: http.Server; received: () => number }> {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, server, received: () => received };
}

async function main(): Promise<void> {
  const env = JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>;
  const hook = process.env.BENCH_WEBHOOK ? await receiver() : null;
  const tc: Variant | null = hook
    ? { name: 'webhook', extra: { webhook: { url: hook.url } } }
    : timeControl();
  if (hook)
    Object.assign(env, { WEBHOOK_SECRET: 'whsec_bench', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  const [instance] = await startInstances(1, env);
  const meter = new CpuMeter(instance.process?.pid);
  try {
    const tag = `ratio-${Date.now()}`;
    const paths = (ids: string[]) => ids.map((id) => `/v1/sessions/${id}/switch`);
    const plainPaths = paths(await createRunningSessions(instance.url, tag, SESSIONS));
    const tcPaths = tc
      ? paths(
          await createRunningSessions(instance.url, `${tag}-tc`, SESSIONS, tc.control, tc.extra),
        )
      : [];
    const ratios: number[] = [];
    const p99s: number[] = [];
    const paired: number[] = [];
    let failed = 0;
    const switches = (name: string, list: string[]) =>
      load(name, instance.url, 'POST', list, '{}', meter);
    for (let round = 1; round <= ROUNDS; round++) {
      const time = await load('GET /v1/time', instance.url, 'GET', ['/v1/time'], undefined, meter);
      // The controlled phase goes first in every other round, so that neither has the edge.
      const tcName = `POST switch (${tc?.name})`;
      const early = tc && round % 2 === 0 ? await switches(tcName, tcPaths) : null;
      const sw = await switches('POST switch', plainPaths);
      failed += time.errors + time.non2xx + sw.errors + sw.non2xx;
      ratios.push(sw.rps / time.rps);
      p99s.push(sw.p99 / time.p99);
      console.log(`round ${round}\n  ${describe(time)}\n  ${describe(sw)}`);
      console.log(`  switch/time ${ratios.at(-1)!.toFixed(2)}, p99 ${p99s.at(-1)!.toFixed(2)}×`);
      if (!tc) continue;
      const tcSw = early ?? (await switches(tcName, tcPaths));
      failed += tcSw.errors + tcSw.non2xx;
      paired.push(tcSw.rps / sw.rps);
      console.log(`  ${describe(tcSw)}`);
      console.log(`  ${tc.name}/plain switch ${paired.at(-1)!.toFixed(2)}`);
    }
    console.log(
      `median of ${ROUNDS}: switch/time ${median(ratios).toFixed(2)} (goal ≥ 0.50), ` +
        `p99 ${median(p99s).toFixed(2)}× (goal < 2), ${failed} errors`,
    );
    if (tc)
      console.log(`median of ${ROUNDS}: ${tc.name}/plain switch ${median(paired).toFixed(2)}`);
    if (hook) console.log(`webhook deliveries received: ${hook.received()}`);
  } finally {
    hook?.server.close();
    closeAgent();
    await stopInstances([instance]);
    await deleteKeys(BENCH_PREFIX);
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
