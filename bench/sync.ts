/**
 * `npm run bench:sync`: how close the SDK's `now()` is to the server's clock through a network
 * with latency, and whether its reported bound always covers the true error.
 *
 * One built instance; the SDK (packages/client) talks to it through a TCP proxy that delays each
 * direction. The service runs on this machine, so the server's true clock is this process's
 * clock (true offset 0) and the error of every `now()` is known exactly. Two scenarios:
 * symmetric 40 ± 10 ms each way, and asymmetric 70 ms up / 10 ms down (no algorithm can know
 * that split: the bound must cover it).
 *
 * Knobs: BENCH_SYNC_SECONDS (60 per scenario), BENCH_SYNC_RESYNC_MS (10,000: resyncs, hence
 * slewing, happen within the run), BENCH_SYNC_PROBE_MS (5).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { SyncKairosClient } from '../packages/client/src';
import { TcpProxy, type ProxyOptions } from '../test/support/tcp-proxy';
import { deleteKeys } from './lib/cleanup';
import { BENCH_PREFIX, startInstances, stopInstances } from './lib/instances';
import { fmt, summarize } from './lib/stats';

const SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 60);
const RESYNC_MS = Number(process.env.BENCH_SYNC_RESYNC_MS ?? 10_000);
const PROBE_MS = Number(process.env.BENCH_SYNC_PROBE_MS ?? 5);

const SCENARIOS: { name: string; delays: ProxyOptions }[] = [
  {
    name: 'symmetric 40 ± 10 ms',
    delays: { up: { ms: 40, jitterMs: 10 }, down: { ms: 40, jitterMs: 10 } },
  },
  { name: 'asymmetric 70 / 10 ms', delays: { up: { ms: 70 }, down: { ms: 10 } } },
];

/** The server's clock, to the microsecond: this process's wall clock (same machine). */
const trueServerTime = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Result {
  scenario: string;
  probes: number;
  error: ReturnType<typeof summarize>;
  bound: ReturnType<typeof summarize>;
  boundMin: number;
  signedMean: number;
  uncovered: number;
  backwards: number;
  maxStepBeyondElapsed: number;
  samples: number;
  rtt: number | null;
}

async function runScenario(target: URL, name: string, delays: ProxyOptions): Promise<Result> {
  const proxy = new TcpProxy(target.hostname, Number(target.port), delays);
  await proxy.start();
  const client = new SyncKairosClient({
    url: `http://127.0.0.1:${proxy.port}`,
    resyncIntervalMs: RESYNC_MS,
  });
  try {
    await client.sync(); // over REST, then the socket takes over
    client.watch('bench-sync-none');
    const errors: number[] = [];
    const bounds: number[] = [];
    let signed = 0;
    let uncovered = 0;
    let backwards = 0;
    let maxStep = 0;
    let last: { now: number; truth: number } | null = null;
    const until = Date.now() + SECONDS * 1000;
    while (Date.now() < until) {
      const truthBefore = trueServerTime();
      const now = client.now();
      const truthAfter = trueServerTime();
      const bound = client.offset.error_ms;
      // the true server time at the call lies in [truthBefore, truthAfter]
      const error = Math.max(Math.abs(now - truthBefore), Math.abs(now - truthAfter));
      errors.push(error);
      bounds.push(bound);
      signed += now - (truthBefore + truthAfter) / 2;
      if (error > bound) uncovered += 1;
      if (last !== null) {
        if (now < last.now) backwards += 1;
        maxStep = Math.max(maxStep, Math.abs(now - last.now - (truthAfter - last.truth)));
      }
      last = { now, truth: truthBefore };
      await sleep(PROBE_MS);
    }
    const offset = client.offset;
    return {
      scenario: name,
      probes: errors.length,
      error: summarize(errors),
      bound: summarize(bounds),
      boundMin: bounds.reduce((m, b) => Math.min(m, b), Infinity),
      signedMean: signed / errors.length,
      uncovered,
      backwards,
      maxStepBeyondElapsed: maxStep,
      samples: offset.samples,
      rtt: offset.rtt_ms,
    };
  } finally {
    client.close();
    await proxy.cut();
  }
}

async function main(): Promise<void> {
  const instances = await startInstances(1);
  const results: Result[] = [];
  try {
    for (const s of SCENARIOS) {
      console.log(`[bench:sync] ${s.name}: ${SECONDS} s, resync every ${RESYNC_MS} ms…`);
      results.push(await runScenario(new URL(instances[0].url), s.name, s.delays));
    }
  } finally {
    await stopInstances(instances);
    await deleteKeys(BENCH_PREFIX);
  }
  console.log('');
  console.log(
    '| scenario | probes | abs. error p50 / p99 / max (ms) | mean signed error (ms) | bound p50 / min / max (ms) | error > bound | backwards | largest jump (ms) | best rtt (ms) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.scenario} | ${r.probes} | ${fmt(r.error.p50, 2)} / ${fmt(r.error.p99, 2)} / ${fmt(r.error.max, 2)} | ${fmt(r.signedMean, 2)} | ` +
        `${fmt(r.bound.p50, 1)} / ${fmt(r.boundMin, 1)} / ${fmt(r.bound.max, 1)} | ${r.uncovered} | ${r.backwards} | ` +
        `${fmt(r.maxStepBeyondElapsed, 2)} | ${fmt(r.rtt ?? NaN, 1)} |`,
    );
  }
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `sync-${Date.now()}.json`), JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
