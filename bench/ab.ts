/**
 * `npm run bench:ab -- <build A> <build B>`: which of two builds spends less on a switch. Each
 * argument is a built `dist/src/main.js` (e.g. of a `git worktree` at another commit, after
 * `npx nest build` there). Both start side by side, each on a key prefix of its own, with the
 * same sessions; then each round loads A and B with switches in turn (the order alternating),
 * so the two phases of a pair share the machine's minute. Prints each phase, then the median
 * of the pairs' ratios B/A: app CPU per switch, PostgreSQL CPU per switch, throughput.
 * Knobs: BENCH_ROUNDS (8), BENCH_SESSIONS (300), BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ENV, and
 * BENCH_AB_LOAD: `switch` (default), `time` (GET /v1/time) or `get` (GET /v1/sessions/:id), for
 * changes to the request pipeline that every endpoint pays.
 */
import { deleteKeys } from './lib/cleanup';
import { CpuMeter } from './lib/cpu';
import { closeAgent } from './lib/http';
import { BENCH_PREFIX, Instance, startInstances, stopInstances } from './lib/instances';
import { createRunningSessions, load, LoadResult } from './lib/load';
import { median } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 300);
const LABELS = ['A', 'B'];
const prefixOf = (i: number) => `${BENCH_PREFIX}-${LABELS[i]}`;

function perSwitch(r: LoadResult) {
  const us = (s?: number) => ((s ?? 0) * 1e6) / r.requests;
  return { app: us(r.cpu?.app), pg: us(r.cpu?.postgres), rps: r.rps };
}

async function main(): Promise<void> {
  const mains = process.argv.slice(2);
  if (mains.length !== 2) throw new Error('usage: bench:ab -- <dist/src/main.js of A> <of B>');
  const env = JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>;
  const own = LABELS.map((_, i) => ({ REDIS_KEY_PREFIX: prefixOf(i) }));
  const instances = await startInstances(2, env, own, mains);
  try {
    const kind = process.env.BENCH_AB_LOAD ?? 'switch';
    const pathOf = (id: string) =>
      kind === 'time'
        ? '/v1/time'
        : kind === 'get'
          ? `/v1/sessions/${id}`
          : `/v1/sessions/${id}/switch`;
    const paths: string[][] = [];
    for (const [i, instance] of instances.entries()) {
      const ids = await createRunningSessions(instance.url, `ab-${LABELS[i]}`, SESSIONS);
      paths.push(ids.map(pathOf));
    }
    const ratios = { app: [] as number[], pg: [] as number[], rps: [] as number[] };
    for (let round = 1; round <= ROUNDS; round++) {
      const seen: ReturnType<typeof perSwitch>[] = [];
      for (const i of round % 2 ? [0, 1] : [1, 0]) {
        const instance: Instance = instances[i];
        const meter = new CpuMeter(instance.process?.pid);
        const r =
          kind === 'switch'
            ? await load(kind, instance.url, 'POST', paths[i], '{}', meter)
            : await load(kind, instance.url, 'GET', paths[i], undefined, meter);
        const s = (seen[i] = perSwitch(r));
        console.log(
          `round ${round} ${LABELS[i]}: ${Math.round(s.rps)} req/s, p99 ${r.p99} ms, ` +
            `${r.errors + r.non2xx} errors; CPU µs/req app ${Math.round(s.app)}, PostgreSQL ${Math.round(s.pg)}`,
        );
      }
      const [a, b] = seen;
      ratios.app.push(b.app / a.app);
      ratios.pg.push(b.pg / a.pg);
      ratios.rps.push(b.rps / a.rps);
    }
    console.log(
      `median of ${ROUNDS} pairs, B/A: app CPU per request ×${median(ratios.app).toFixed(2)}, ` +
        `PostgreSQL ×${median(ratios.pg).toFixed(2)}, throughput ×${median(ratios.rps).toFixed(2)}`,
    );
  } finally {
    closeAgent();
    await stopInstances(instances);
    for (const i of LABELS.keys()) await deleteKeys(prefixOf(i));
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
