/**
 * `npm run bench:soak`: a bounded soak. One built instance (audit on, its worker inside), a
 * steady rate of switches over running sessions whose deadline moves earlier and later in turn,
 * and every BENCH_SOAK_SAMPLE_S the instance's RSS, heap and event-loop lag (its /metrics) and
 * Redis' memory and key counts under the bench's own prefix. A leak shows as a column that
 * keeps growing; bench/README.md keeps a run.
 *
 * BENCH_SOAK_SECONDS (600), BENCH_SOAK_RATE switches/s (200), BENCH_SOAK_SESSIONS (200),
 * BENCH_SOAK_SAMPLE_S (30).
 */
import Redis from 'ioredis';
import { deleteKeys } from './lib/cleanup';
import { BENCH_PREFIX, startInstances, stopInstances } from './lib/instances';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 200);
const SESSIONS = Number(process.env.BENCH_SOAK_SESSIONS ?? 200);
const SAMPLE_S = Number(process.env.BENCH_SOAK_SAMPLE_S ?? 30);
const TICK_MS = 20;

interface Sample {
  t_s: number;
  rss_mb: number;
  heap_mb: number;
  lag_p99_ms: number;
  redis_mb: number;
  /** MEMORY USAGE of the bench's own keys (the server's used_memory counts everybody's). */
  keys_kb: number;
  keys: number;
  by_kind: Record<string, number>;
  deadline_entries: number;
  switches: number;
  errors: number;
}

async function main(): Promise<void> {
  const [instance] = await startInstances(1);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let switches = 0;
  let errors = 0;
  try {
    const ids = await createSessions(instance.url);
    const samples: Sample[] = [];
    const started = Date.now();
    const sampleNow = async () => {
      const s = await sample(instance.url, redis, (Date.now() - started) / 1000, switches, errors);
      samples.push(s);
      console.log(JSON.stringify(s));
    };
    await sampleNow();
    let next = 0;
    let nextSample = started + SAMPLE_S * 1000;
    const perTick = (RATE * TICK_MS) / 1000;
    let owed = 0;
    const inFlight = new Set<Promise<void>>();
    while (Date.now() - started < SECONDS * 1000) {
      owed += perTick;
      // Backpressure: a slow instance gets no more than a second's worth in flight.
      while (owed >= 1 && inFlight.size < RATE) {
        owed -= 1;
        const id = ids[next++ % ids.length];
        const p = fetch(`${instance.url}/v1/sessions/${id}/switch`, { method: 'POST' })
          .then(async (res) => {
            await res.arrayBuffer();
            if (res.ok) switches++;
            else errors++;
          })
          .catch(() => {
            errors++;
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (Date.now() >= nextSample) {
        nextSample += SAMPLE_S * 1000;
        await sampleNow();
      }
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    await Promise.all(inFlight);
    await sampleNow();
    report(samples);
  } finally {
    redis.disconnect();
    await stopInstances([instance]);
    await deleteKeys(BENCH_PREFIX);
  }
}

/** Two players, one bank of 12 h and one of 2 h: every switch moves the deadline. */
async function createSessions(url: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const id = `soak-${process.pid}-${i}`;
    const body = {
      session_id: id,
      sync_mode: 'per_participant',
      total_time_ms: 86_400_000,
      participants: [
        { participant_id: 'a', total_time_ms: 43_200_000 },
        { participant_id: 'b', total_time_ms: 7_200_000 },
      ],
    };
    const created = await fetch(`${url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (created.status !== 201)
      throw new Error(`create ${id}: ${created.status} ${await created.text()}`);
    const started = await fetch(`${url}/v1/sessions/${id}/start`, { method: 'POST' });
    if (!started.ok) throw new Error(`start ${id}: ${started.status}`);
    ids.push(id);
  }
  return ids;
}

async function sample(
  url: string,
  redis: Redis,
  t: number,
  switches: number,
  errors: number,
): Promise<Sample> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN);
  const info = await redis.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  const byKind: Record<string, number> = {};
  let keys = 0;
  let bytes = 0;
  let deadlineEntries = 0;
  for (const pattern of [`${BENCH_PREFIX}:*`, `{${BENCH_PREFIX}}:*`]) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      for (const key of found) {
        keys++;
        bytes += (await redis.memory('USAGE', key)) ?? 0;
        const kind = key.startsWith('{') ? `queue:${key.split(':')[1]}` : key.split(':')[1];
        byKind[kind] = (byKind[kind] ?? 0) + 1;
        if (kind === 'deadlines') deadlineEntries += await redis.zcard(key);
      }
      cursor = next;
    } while (cursor !== '0');
  }
  return {
    t_s: Math.round(t),
    rss_mb: round(metric('process_resident_memory_bytes') / 2 ** 20),
    heap_mb: round(metric('nodejs_heap_size_used_bytes') / 2 ** 20),
    lag_p99_ms: round(metric('nodejs_eventloop_lag_p99_seconds') * 1000),
    redis_mb: round(used / 2 ** 20),
    keys_kb: round(bytes / 1024),
    keys,
    by_kind: byKind,
    deadline_entries: deadlineEntries,
    switches,
    errors,
  };
}

function report(samples: Sample[]): void {
  const kinds = [...new Set(samples.flatMap((s) => Object.keys(s.by_kind)))].sort();
  console.log(
    `\nsoak: ${SECONDS} s, ${RATE} switches/s offered, ${SESSIONS} running sessions\n` +
      `| t (s) | switches | errors | RSS MB | heap MB | lag p99 ms | Redis MB (server) | own keys KB | keys | deadline entries | ${kinds.join(' | ')} |\n` +
      `|${'---|'.repeat(10 + kinds.length)}`,
  );
  for (const s of samples) {
    const cells = [
      s.t_s,
      s.switches,
      s.errors,
      s.rss_mb,
      s.heap_mb,
      s.lag_p99_ms,
      s.redis_mb,
      s.keys_kb,
      s.keys,
      s.deadline_entries,
      ...kinds.map((k) => s.by_kind[k] ?? 0),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
