import { LoadResult, PhaseLength } from './load';

/** bench:ceiling's phases: short by default, so that a run stays within a couple of minutes. */
export const PHASE: PhaseLength = {
  warmup: Number(process.env.BENCH_WARMUP_SECONDS ?? 1),
  seconds: Number(process.env.BENCH_SECONDS ?? 3),
};

/** Socket quotas out of the way: 50 sockets switch as fast as their acknowledgements come. */
export const SERVICE_ENV: Record<string, string> = {
  SOCKET_MAX_COMMANDS_PER_S: '100000',
  SOCKET_MAX_EVENTS_PER_S: '100000',
  ...(JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>),
};

/** The app's CPU per request of a phase, in µs. */
export const usPerRequest = (r: LoadResult): number => ((r.cpu?.app ?? 0) * 1e6) / r.requests;

export function describe(r: LoadResult): string {
  return (
    `${r.name}: ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ` +
    `${r.errors + r.non2xx} errors, app CPU ${Math.round(usPerRequest(r))} µs/req`
  );
}
