/**
 * Deadlines: 1,000 running sessions of mixed modes whose clocks run out within the same ten
 * seconds, watched over sockets. Prints how many time-outs were pushed, missed and duplicated,
 * and the lateness of each push (receipt minus the exact instant the clock ran out).
 *
 *   npm run bench:deadlines     (DEADLINE_SESSIONS=1000 DEADLINE_WINDOW_MS=10000)
 */
import { io, Socket } from 'socket.io-client';
import { deleteKeys } from './lib/cleanup';
import { closeAgent, request } from './lib/http';
import { BENCH_PREFIX, startInstances, stopInstances } from './lib/instances';
import { fmt, summarize, Summary } from './lib/stats';

const SESSIONS = Number(process.env.DEADLINE_SESSIONS ?? 1000);
const WINDOW_MS = Number(process.env.DEADLINE_WINDOW_MS ?? 10_000);
const PER_SOCKET = 20;
const MODES = ['per_participant', 'per_group', 'per_cycle', 'global', 'count_up'] as const;

export interface DeadlineResult {
  sessions: number;
  fired: number;
  missed: number;
  duplicated: number;
  wrongInstant: number;
  lateness: Summary;
}

function sessionBody(
  id: string,
  mode: (typeof MODES)[number],
  runMs: number,
): Record<string, unknown> {
  const two = [{ participant_id: 'a' }, { participant_id: 'b' }];
  switch (mode) {
    case 'per_participant':
      return {
        session_id: id,
        sync_mode: mode,
        participants: [
          { participant_id: 'a', total_time_ms: runMs },
          { participant_id: 'b', total_time_ms: 60_000 },
        ],
        total_time_ms: 60_000,
      };
    case 'per_group':
      return {
        session_id: id,
        sync_mode: mode,
        participants: [
          { participant_id: 'a', group_id: 'g1', total_time_ms: runMs },
          { participant_id: 'b', group_id: 'g2', total_time_ms: 60_000 },
        ],
        total_time_ms: 60_000,
      };
    case 'per_cycle':
      return {
        session_id: id,
        sync_mode: mode,
        participants: two,
        total_time_ms: 60_000,
        time_per_cycle_ms: runMs,
        auto_advance: false,
      };
    case 'global':
      return { session_id: id, sync_mode: mode, participants: two, total_time_ms: runMs };
    case 'count_up':
      return {
        session_id: id,
        sync_mode: mode,
        participants: two,
        total_time_ms: 60_000,
        max_time_ms: runMs,
      };
  }
}

export async function runDeadlines(urls: string[]): Promise<DeadlineResult> {
  const tag = `dl-${Date.now()}`;
  const plan = Array.from({ length: SESSIONS }, (_, i) => ({
    id: `${tag}-${i}`,
    url: urls[i % urls.length],
    mode: MODES[i % MODES.length],
    // clocks run out spread over the window, none sooner than the contract's 1 s minimum
    runMs: 1000 + Math.floor(Math.random() * (WINDOW_MS - 1000)),
    due: 0,
  }));
  for (let i = 0; i < plan.length; i += 50) {
    await Promise.all(
      plan
        .slice(i, i + 50)
        .map((p) => request(p.url, 'POST', '/v1/sessions', sessionBody(p.id, p.mode, p.runMs))),
    );
  }

  const firstPush = new Map<string, number>();
  const atMs = new Map<string, number>();
  const seen = new Set<string>();
  let duplicated = 0;
  const sockets: Socket[] = [];
  for (let i = 0; i < plan.length; i += PER_SOCKET) {
    const socket = io(plan[i].url, { transports: ['websocket'], forceNew: true });
    sockets.push(socket);
    socket.on(
      'session:timeout',
      (t: { session_id: string; kind: string; at_ms: number; version: number }) => {
        const key = `${t.session_id}/${t.kind}/${t.version}`;
        if (seen.has(key)) duplicated += 1;
        seen.add(key);
        if (!firstPush.has(t.session_id)) firstPush.set(t.session_id, Date.now() - t.at_ms);
        atMs.set(t.session_id, t.at_ms);
      },
    );
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await Promise.all(
      plan
        .slice(i, i + PER_SOCKET)
        .map((p) => socket.timeout(5000).emitWithAck('session:join', { session_id: p.id })),
    );
  }
  await Promise.all(
    plan.map(async (p) => {
      const res = await request(p.url, 'POST', `/v1/sessions/${p.id}/start`);
      p.due = Date.parse(res.body.data.cycle_started_at) + p.runMs;
    }),
  );
  const lastDue = Math.max(...plan.map((p) => p.due));
  while (Date.now() < lastDue + 2000 && firstPush.size < plan.length)
    await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500)); // room for late duplicates to show up

  sockets.forEach((s) => s.close());
  const wrongInstant = plan.filter((p) => atMs.has(p.id) && atMs.get(p.id) !== p.due).length;
  return {
    sessions: plan.length,
    fired: firstPush.size,
    missed: plan.length - firstPush.size,
    duplicated,
    wrongInstant,
    lateness: summarize([...firstPush.values()]),
  };
}

export function printDeadlines(r: DeadlineResult): void {
  console.log(
    `deadlines: ${r.sessions} sessions, fired ${r.fired}, missed ${r.missed}, pushed twice ${r.duplicated}, ` +
      `wrong instant ${r.wrongInstant}; lateness p50 ${fmt(r.lateness.p50)} ms, p99 ${fmt(r.lateness.p99)} ms, ` +
      `max ${fmt(r.lateness.max)} ms`,
  );
}

async function main(): Promise<void> {
  const instances = await startInstances(2, { SOCKET_MAX_JOINS_PER_10S: '1000' });
  try {
    printDeadlines(await runDeadlines(instances.map((i) => i.url)));
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
