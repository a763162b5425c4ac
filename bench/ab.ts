/**
 * `npm run bench:ab -- <build A> <build B>`: which of two builds spends less on a switch. Each
 * argument is a built `dist/src/main.js` (e.g. of a `git worktree` at another commit, after
 * `npx nest build` there). Both start side by side, each on a key prefix of its own, with the
 * same sessions; then each round loads A and B with switches in turn (the order alternating),
 * so the two phases of a pair share the machine's minute. Prints each phase, then the median
 * of the pairs' ratios B/A: app CPU per switch, PostgreSQL CPU per switch, throughput.
 * Knobs: BENCH_ROUNDS (8), BENCH_SESSIONS (300), BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ENV.
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { deleteKeys } from './lib/cleanup';
import { CpuMeter } from './lib/cpu';
import { closeAgent } from './lib/http';
import { benchEnv, waitReady } from './lib/instances';
import { createRunningSessions, load, LoadResult } from './lib/load';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 300);

interface Build {
  label: string;
  url: string;
  prefix: string;
  child: ChildProcess;
  paths: string[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function perSwitch(r: LoadResult) {
  const us = (s?: number) => ((s ?? 0) * 1e6) / r.requests;
  return { app: us(r.cpu?.app), pg: us(r.cpu?.postgres), rps: r.rps };
}

async function main(): Promise<void> {
  const mains = process.argv.slice(2);
  if (mains.length !== 2) throw new Error('usage: bench:ab -- <dist/src/main.js of A> <of B>');
  const env = JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>;
  const builds: Build[] = mains.map((main, i) => {
    const port = 3900 + i + (process.pid % 200) * 2;
    const prefix = `sk-ab-${i}-${process.pid}`;
    const child = spawn(process.execPath, [path.resolve(main)], {
      env: {
        ...process.env,
        ...benchEnv(env),
        REDIS_KEY_PREFIX: prefix,
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return { label: 'AB'[i], url: `http://127.0.0.1:${port}`, prefix, child, paths: [] };
  });
  try {
    for (const b of builds) await waitReady(b.url);
    for (const b of builds) {
      const ids = await createRunningSessions(b.url, `ab-${b.label}-${Date.now()}`, SESSIONS);
      b.paths = ids.map((id) => `/v1/sessions/${id}/switch`);
    }
    const ratios = { app: [] as number[], pg: [] as number[], rps: [] as number[] };
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 ? builds : [...builds].reverse();
      const seen = new Map<Build, ReturnType<typeof perSwitch>>();
      for (const b of order) {
        const r = await load('switch', b.url, 'POST', b.paths, '{}', new CpuMeter(b.child.pid));
        const s = perSwitch(r);
        seen.set(b, s);
        console.log(
          `round ${round} ${b.label}: ${Math.round(s.rps)} switches/s, p99 ${r.p99} ms, ` +
            `${r.errors + r.non2xx} errors; CPU µs/switch app ${Math.round(s.app)}, PostgreSQL ${Math.round(s.pg)}`,
        );
      }
      const [a, b] = builds.map((x) => seen.get(x)!);
      ratios.app.push(b.app / a.app);
      ratios.pg.push(b.pg / a.pg);
      ratios.rps.push(b.rps / a.rps);
    }
    console.log(
      `median of ${ROUNDS} pairs, B/A: app CPU per switch ×${median(ratios.app).toFixed(2)}, ` +
        `PostgreSQL ×${median(ratios.pg).toFixed(2)}, throughput ×${median(ratios.rps).toFixed(2)}`,
    );
  } finally {
    closeAgent();
    await Promise.all(
      builds.map(
        (b) =>
          new Promise<void>((resolve) => {
            if (b.child.exitCode !== null) return resolve();
            b.child.once('exit', () => resolve());
            b.child.kill('SIGTERM');
          }),
      ),
    );
    for (const b of builds) await deleteKeys(b.prefix);
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
