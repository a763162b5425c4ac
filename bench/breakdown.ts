/**
 * The breakdown of `npm run bench:ceiling`: what each part of the request pipeline costs. Starts
 * the built service through bench/service-entry.ts once whole and once without each part (each
 * on a key prefix of its own, with its own sessions), then, for BENCH_ROUNDS rounds, loads the
 * whole service and the one without a part right after each other (which goes first
 * alternating) and takes the difference of the app's CPU per request: the part's cost in µs.
 * Every part is loaded with GET /v1/sessions/:id except validation, loaded with switches (the
 * body is validated there). Knobs: BENCH_PARTS (comma-separated), BENCH_BREAKDOWN_SECONDS (2).
 */
import path from 'node:path';
import { deleteKeys } from './lib/cleanup';
import { CpuMeter } from './lib/cpu';
import { BENCH_PREFIX, Instance, startInstances, stopInstances } from './lib/instances';
import { createRunningSessions, load, LoadResult, PhaseLength } from './lib/load';
import { PHASE, SERVICE_ENV, usPerRequest } from './lib/phases';
import { median } from './lib/stats';
import { Part, PARTS } from './lib/parts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SESSIONS = 100;
const LENGTH: PhaseLength = {
  warmup: Math.min(PHASE.warmup, 1),
  seconds: Number(process.env.BENCH_BREAKDOWN_SECONDS ?? 2),
};
const ENTRY = path.join(__dirname, 'service-entry.ts');

interface Subject {
  label: string;
  instance: Instance;
  paths: { get: string[]; switch: string[] };
}

function phase(s: Subject, part: Part): Promise<LoadResult> {
  const meter = new CpuMeter(s.instance.process?.pid);
  return part === 'validation'
    ? load('switch', s.instance.url, 'POST', s.paths.switch, '{}', meter, LENGTH)
    : load('GET session', s.instance.url, 'GET', s.paths.get, undefined, meter, LENGTH);
}

export async function runBreakdown(): Promise<void> {
  const parts = (process.env.BENCH_PARTS?.split(',') ?? PARTS) as Part[];
  const labels = ['whole', ...parts];
  const prefix = (label: string) => `${BENCH_PREFIX}-${label}`;
  const own = labels.map((label, i) => ({
    REDIS_KEY_PREFIX: prefix(label),
    ...(i > 0 && { BENCH_WITHOUT: label }),
  }));
  const instances = await startInstances(
    labels.length,
    SERVICE_ENV,
    own,
    labels.map(() => ENTRY),
  );
  try {
    const subjects: Subject[] = [];
    for (const [i, instance] of instances.entries()) {
      const ids = await createRunningSessions(instance.url, `bd-${labels[i]}`, SESSIONS);
      subjects.push({
        label: labels[i],
        instance,
        paths: {
          get: ids.map((id) => `/v1/sessions/${id}`),
          switch: ids.map((id) => `/v1/sessions/${id}/switch`),
        },
      });
    }
    const [whole, ...without] = subjects;
    // One unmeasured phase each first: the whole instance is loaded in every pair, and would
    // otherwise be the only one warmed up by the JIT.
    for (const s of without) {
      await phase(s, s.label as Part);
      await phase(whole, s.label as Part);
    }
    const costs = new Map(parts.map((p) => [p, { us: [] as number[], rps: [] as number[] }]));
    let failed = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [i, s] of without.entries()) {
        const part = s.label as Part;
        const wholeFirst = (round + i) % 2 === 1;
        const a = await phase(wholeFirst ? whole : s, part);
        const b = await phase(wholeFirst ? s : whole, part);
        const [w, x] = wholeFirst ? [a, b] : [b, a];
        failed += w.errors + w.non2xx + x.errors + x.non2xx;
        const cost = costs.get(part)!;
        cost.us.push(usPerRequest(w) - usPerRequest(x));
        cost.rps.push(x.rps / w.rps);
        console.log(
          `round ${round} ${part}: whole ${Math.round(usPerRequest(w))} µs/req (${Math.round(w.rps)}/s), ` +
            `without ${Math.round(usPerRequest(x))} µs/req (${Math.round(x.rps)}/s)`,
        );
      }
    }
    console.log(`\nbreakdown, median of ${ROUNDS} rounds, ${LENGTH.seconds} s phases (app CPU):`);
    console.log('| part | load | costs, µs/request | each round | throughput without / whole |');
    console.log('|---|---|---|---|---|');
    for (const [part, c] of costs) {
      const loadName = part === 'validation' ? 'POST switch' : 'GET /v1/sessions/:id';
      console.log(
        `| ${part} | ${loadName} | ${Math.round(median(c.us))} | ${c.us.map(Math.round).join(', ')} | ${median(c.rps).toFixed(2)} |`,
      );
    }
    console.log(`errors: ${failed}`);
  } finally {
    await stopInstances(instances);
    for (const label of labels) await deleteKeys(prefix(label));
  }
}
