import fc from 'fast-check';
import { applyCommand } from './apply-command';
import { ClockState, Command, CreateSessionInput, Step, SYNC_MODES } from './clock.types';
import { createSession } from './create-session';
import { SessionView, toView } from './session-view';

/**
 * The rules hold for any session and any sequence of commands at any times, not only for the
 * cases written out by hand: random sessions are driven by random commands and checked.
 */
const T0 = 1_800_000_000_000;

const sessionArb: fc.Arbitrary<CreateSessionInput> = fc
  .record({
    mode: fc.constantFrom(...SYNC_MODES),
    n: fc.integer({ min: 1, max: 4 }),
    groups: fc.integer({ min: 1, max: 3 }),
    banks: fc.array(fc.integer({ min: 1000, max: 20_000 }), { minLength: 4, maxLength: 4 }),
    total: fc.integer({ min: 1000, max: 40_000 }),
    cycle: fc.integer({ min: 1000, max: 8000 }),
    increment: fc.integer({ min: 0, max: 3000 }),
    max: fc.option(fc.integer({ min: 1000, max: 40_000 }), { nil: undefined }),
    autoAdvance: fc.boolean(),
  })
  .map((r) => ({
    session_id: 'prop',
    sync_mode: r.mode,
    participants: Array.from({ length: r.n }, (_, i) => ({
      participant_id: `p${i}`,
      group_id: `g${i % r.groups}`,
      total_time_ms: r.mode === 'per_group' ? r.banks[i % r.groups] : r.banks[i],
    })),
    total_time_ms: r.total,
    time_per_cycle_ms: r.cycle,
    increment_ms: r.increment,
    max_time_ms: r.max,
    auto_advance: r.autoAdvance,
  }));

type Op =
  | {
      dt: number;
      kind: 'start' | 'pause' | 'resume' | 'complete' | 'cancel' | 'settle' | 'claimed_switch';
    }
  | { dt: number; kind: 'add_time'; target: number; ms: number }
  | { dt: number; kind: 'blind_switch' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    dt: fc.integer({ min: 0, max: 12_000 }),
    kind: fc.constantFrom(
      'start',
      'pause',
      'resume',
      'complete',
      'cancel',
      'settle',
      'claimed_switch',
    ),
  }) as fc.Arbitrary<Op>,
  fc.record({
    dt: fc.integer({ min: 0, max: 12_000 }),
    kind: fc.constant('add_time' as const),
    target: fc.integer({ min: -1, max: 3 }),
    ms: fc.integer({ min: -20_000, max: 20_000 }).filter((x) => x !== 0),
  }),
  fc.record({
    dt: fc.integer({ min: 0, max: 12_000 }),
    kind: fc.constant('blind_switch' as const),
  }),
);

function toCommand(op: Op, state: ClockState, now: number): Command {
  switch (op.kind) {
    case 'claimed_switch': {
      const settled = applyCommand(state, { kind: 'settle' }, now).state;
      return { kind: 'switch', current_participant_id: settled.active_participant_id ?? 'nobody' };
    }
    case 'blind_switch':
      return { kind: 'switch' };
    case 'add_time': {
      const p = state.participants[op.target];
      if (op.target < 0 || !p) return { kind: 'add_time', ms: op.ms };
      return state.sync_mode === 'per_group'
        ? { kind: 'add_time', group_id: p.group_id, ms: op.ms }
        : { kind: 'add_time', participant_id: p.participant_id, ms: op.ms };
    }
    default:
      return { kind: op.kind };
  }
}

interface Run {
  state: ClockState;
  steps: Step[];
  now: number;
}

function drive(
  spec: CreateSessionInput,
  ops: Op[],
  onStep?: (run: Run, before: ClockState) => void,
): Run {
  const run: Run = { state: createSession(spec, T0).state, steps: [], now: T0 };
  for (const op of ops) {
    run.now += op.dt;
    const before = run.state;
    const result = applyCommand(before, toCommand(op, before, run.now), run.now);
    run.state = result.state;
    run.steps.push(...result.steps);
    onStep?.(run, before);
  }
  return run;
}

function checkView(v: SessionView, now: number): void {
  const active = v.participants.filter((p) => p.is_active);
  expect(active.length).toBeLessThanOrEqual(1);
  expect(active[0]?.participant_id ?? null).toBe(v.active_participant_id);
  if (v.status === 'running') {
    expect(v.active_participant_id).not.toBeNull();
    expect(active[0].has_expired).toBe(false);
    expect(Date.parse(v.cycle_started_at ?? '')).toBeLessThanOrEqual(now);
  } else {
    expect(v.cycle_started_at).toBeNull();
  }
  if (['expired', 'completed', 'cancelled'].includes(v.status)) {
    expect(v.active_participant_id).toBeNull();
    expect(Date.parse(v.session_completed_at ?? '')).toBeLessThanOrEqual(now);
  }
  if (v.status === 'pending') expect(v.time_elapsed_ms).toBe(0);
  expect(v.time_remaining_ms === null || v.time_remaining_ms >= 0).toBe(true);
  expect(v.participants.reduce((sum, p) => sum + p.time_used_ms, 0)).toBe(v.time_elapsed_ms);
  for (const p of v.participants) {
    expect(p.time_remaining_ms === null || p.time_remaining_ms >= 0).toBe(true);
    if (v.sync_mode === 'per_participant')
      expect(p.total_time_ms).toBe(p.time_used_ms + (p.time_remaining_ms ?? 0));
  }
  for (const g of v.groups ?? [])
    expect(g.total_time_ms).toBe(g.time_used_ms + g.time_remaining_ms);
}

describe('clock properties', () => {
  it('every view, at every moment, keeps the invariants of the contract', () => {
    fc.assert(
      fc.property(
        sessionArb,
        fc.array(opArb, { maxLength: 25 }),
        fc.integer({ min: 0, max: 30_000 }),
        (spec, ops, lookAhead) => {
          drive(spec, ops, (run) => {
            for (const t of [run.now, run.now + lookAhead]) {
              checkView(toView(applyCommand(run.state, { kind: 'settle' }, t).state, t), t);
            }
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('versions go up by one per step, steps are in time order, never after now, the last one is the result', () => {
    fc.assert(
      fc.property(sessionArb, fc.array(opArb, { maxLength: 25 }), (spec, ops) => {
        drive(spec, ops, (run, before) => {
          const fresh = run.steps.slice(run.steps.length - (run.state.version - before.version));
          fresh.forEach((step, i) => expect(step.version).toBe(before.version + i + 1));
          for (const step of fresh) {
            expect(step.at).toBeLessThanOrEqual(run.now);
            expect(step.at).toBeGreaterThanOrEqual(before.updated_at);
            expect(step.state.version).toBe(step.version);
          }
          // The newest step's state is the state stored: the audit trail records its text.
          if (fresh.length > 0) expect(fresh.at(-1)?.state).toEqual(run.state);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('the outcome never depends on when (or whether) anybody looked in between', () => {
    const claimed = opArb.filter((op) => op.kind !== 'blind_switch');
    fc.assert(
      fc.property(
        sessionArb,
        fc.array(claimed, { maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 12_000 }), { maxLength: 20 }),
        (spec, ops, peeks) => {
          const withPeeks: Op[] = [];
          ops.forEach((op, i) => {
            const peek = Math.min(peeks[i] ?? 0, op.dt);
            withPeeks.push({ dt: peek, kind: 'settle' }, { ...op, dt: op.dt - peek });
          });
          const plain = drive(spec, ops);
          const peeked = drive(spec, withPeeks);
          expect(peeked.state).toEqual(plain.state);
          const summary = (s: Step[]) => s.map((x) => [x.type, x.version, x.at, x.participant_id]);
          expect(summary(peeked.steps)).toEqual(summary(plain.steps));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('an expiry is recorded at its exact instant: the anchor plus what was left', () => {
    fc.assert(
      fc.property(
        sessionArb,
        fc.array(opArb, { maxLength: 20 }),
        fc.integer({ min: 0, max: 200_000 }),
        (spec, ops, wait) => {
          const run = drive(spec, ops);
          const due = run.state.status === 'running' ? dueOf(run.state, run.now) : null;
          const later = applyCommand(run.state, { kind: 'settle' }, run.now + wait);
          if (due === null || due > run.now + wait) return;
          expect(later.steps[0].at).toBe(due);
        },
      ),
      { numRuns: 300 },
    );
  });
});

function dueOf(state: ClockState, now: number): number | null {
  const v = toView(state, now);
  return v.time_remaining_ms === null ? null : now + v.time_remaining_ms;
}
