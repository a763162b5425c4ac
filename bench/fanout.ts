/**
 * Fan-out: N clients watch one session on instance A; switches are made through instance B.
 * Prints how many states arrived and the latency from each switch request to each receipt.
 *
 *   npm run bench:fanout   (FANOUT_CLIENTS=200 FANOUT_SWITCHES=200 FANOUT_GAP_MS=20 FANOUT_WARMUP=30)
 */
import { io, Socket } from 'socket.io-client';
import { deleteKeys } from './lib/cleanup';
import { closeAgent, request } from './lib/http';
import { BENCH_PREFIX, startInstances, stopInstances } from './lib/instances';
import { fmt, summarize, Summary } from './lib/stats';

const CLIENTS = Number(process.env.FANOUT_CLIENTS ?? 200);
const SWITCHES = Number(process.env.FANOUT_SWITCHES ?? 200);
const GAP_MS = Number(process.env.FANOUT_GAP_MS ?? 20);
const WARMUP = Number(process.env.FANOUT_WARMUP ?? 30);

export interface FanoutResult {
  clients: number;
  switches: number;
  delivered: number;
  expected: number;
  latency: Summary;
}

export async function runFanout(urlA: string, urlB: string): Promise<FanoutResult> {
  const id = `fanout-${Date.now()}`;
  await request(urlB, 'POST', '/v1/sessions', {
    session_id: id,
    sync_mode: 'per_participant',
    participants: [
      { participant_id: 'a', total_time_ms: 86_400_000 },
      { participant_id: 'b', total_time_ms: 86_400_000 },
    ],
    total_time_ms: 86_400_000,
  });
  const started = await request(urlB, 'POST', `/v1/sessions/${id}/start`);
  const baseVersion: number = started.body.data.version;

  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let delivered = 0;
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, () => {
      const socket = io(urlA, {
        transports: ['websocket'],
        query: { sessionId: id },
        forceNew: true,
      });
      sockets.push(socket);
      return new Promise<void>((resolve) => {
        socket.on('session:state', (p: { version: number }) => {
          const t0 = sentAt.get(p.version);
          if (t0 === undefined) return resolve(); // the snapshot on join
          delivered += 1;
          latencies.push(performance.now() - t0);
        });
      });
    }),
  );

  // Warm-up: the first switches pay for JIT compilation in every process; not measured.
  for (let i = 1; i <= WARMUP; i++) {
    await request(urlB, 'POST', `/v1/sessions/${id}/switch`, {});
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  const first = baseVersion + WARMUP;
  for (let i = 1; i <= SWITCHES; i++) {
    sentAt.set(first + i, performance.now());
    const res = await request(urlB, 'POST', `/v1/sessions/${id}/switch`, {});
    if (res.status !== 200) throw new Error(`switch answered ${res.status}`);
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  const expected = CLIENTS * SWITCHES;
  const until = Date.now() + 5000;
  while (delivered < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  sockets.forEach((s) => s.close());
  await request(urlB, 'DELETE', `/v1/sessions/${id}`);
  return {
    clients: CLIENTS,
    switches: SWITCHES,
    delivered,
    expected,
    latency: summarize(latencies),
  };
}

export function printFanout(r: FanoutResult): void {
  console.log(
    `fan-out: ${r.clients} clients on A, ${r.switches} switches via B: delivered ${r.delivered}/${r.expected}, ` +
      `latency p50 ${fmt(r.latency.p50)} ms, p99 ${fmt(r.latency.p99)} ms, max ${fmt(r.latency.max)} ms`,
  );
}

async function main(): Promise<void> {
  const instances = await startInstances(
    2,
    process.env.FANOUT_ENV
      ? Object.fromEntries(process.env.FANOUT_ENV.split(',').map((kv) => kv.split('=')))
      : {},
  );
  try {
    printFanout(await runFanout(instances[0].url, instances[1].url));
  } finally {
    closeAgent();
    await stopInstances(instances);
    await deleteKeys(BENCH_PREFIX);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
