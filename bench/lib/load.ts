import autocannon from 'autocannon';
import { CpuMeter, CpuSplit } from './cpu';
import { request } from './http';

export interface LoadResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** 2xx answers in the warm-up and the measured phase together. */
  acknowledged: number;
  /** CPU seconds per part of the system during the measured phase, when metered. */
  cpu?: CpuSplit;
}

export const LOAD_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
export const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

/**
 * Creates `count` running two-player sessions with day-long banks (nothing runs out during a
 * run), or under `timeControl` (section 7) when given, which must not run out either.
 */
export async function createRunningSessions(
  url: string,
  tag: string,
  count: number,
  timeControl?: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
  const bank = timeControl ? {} : { total_time_ms: 86_400_000 };
  for (let i = 0; i < ids.length; i += 25) {
    await Promise.all(
      ids.slice(i, i + 25).map(async (id) => {
        await request(url, 'POST', '/v1/sessions', {
          session_id: id,
          sync_mode: 'per_participant',
          participants: [
            { participant_id: 'a', ...bank },
            { participant_id: 'b', ...bank },
          ],
          total_time_ms: 86_400_000,
          ...(timeControl && { time_control: timeControl }),
          ...extra,
        });
        await request(url, 'POST', `/v1/sessions/${id}/start`);
      }),
    );
  }
  return ids;
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err: Error | null, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Seconds of warm-up and of measure of one phase (BENCH_WARMUP_SECONDS, BENCH_SECONDS). */
export interface PhaseLength {
  warmup: number;
  seconds: number;
}

/**
 * One autocannon phase (after a warm-up of the same shape), requests spread over `paths`;
 * `afterWarmup` runs between the two (a reading of counters the phase is measured by).
 */
export async function load(
  name: string,
  url: string,
  method: 'GET' | 'POST',
  paths: string[],
  body?: string,
  meter?: CpuMeter,
  length: PhaseLength = { warmup: WARMUP_SECONDS, seconds: LOAD_SECONDS },
  afterWarmup?: () => Promise<void>,
): Promise<LoadResult> {
  let next = 0;
  const options = (duration: number): autocannon.Options => ({
    url,
    connections: LOAD_CONNECTIONS,
    duration,
    requests: [
      {
        method,
        ...(body !== undefined && { body, headers: { 'content-type': 'application/json' } }),
        setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }),
      },
    ],
  });
  const warmup = await run(options(length.warmup));
  await afterWarmup?.();
  const before = meter?.read();
  const r = await run(options(length.seconds));
  const cpu = meter && before ? CpuMeter.delta(before, meter.read()) : undefined;
  return {
    name,
    requests: r.requests.total,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    acknowledged: warmup['2xx'] + r['2xx'],
    cpu,
  };
}
