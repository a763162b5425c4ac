import fc from 'fast-check';
import { applyCommand } from './apply-command';
import {
  ClockState,
  Command,
  CreateSessionInput,
  Step,
  SYNC_MODES,
  TimeControlInput,
} from './clock.types';
import { createSession } from './create-session';

/**
 * Arbitraries for property tests: sessions of every mode and every kind of time control,
 * driven by any sequence of commands at any instants.
 */
export const T0 = 1_800_000_000_000;

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const byoyomiArb = fc.oneof(
  fc.record({
    kind: fc.constant('japanese' as const),
    periods: fc.integer({ min: 1, max: 4 }),
    period_ms: fc.integer({ min: 1000, max: 5000 }),
  }),
  fc.record({
    kind: fc.constant('canadian' as const),
    moves: fc.integer({ min: 1, max: 3 }),
    period_ms: fc.integer({ min: 1000, max: 5000 }),
  }),
);

const withByoyomi: fc.Arbitrary<TimeControlInput> = fc
  .record({ time_ms: fc.integer({ min: 1000, max: 12_000 }), byoyomi: byoyomiArb })
  .map((r) => ({ stages: [{ time_ms: r.time_ms }], byoyomi: r.byoyomi }));

const stagesArb = (withDelay: boolean) =>
  fc.array(
    fc.record({
      time_ms: fc.integer({ min: 0, max: 12_000 }),
      increment_ms: withDelay ? fc.constant(undefined) : opt(fc.integer({ min: 0, max: 3000 })),
      delay_ms: withDelay ? opt(fc.integer({ min: 0, max: 4000 })) : fc.constant(undefined),
      moves: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 3 },
  );

const staged = (withDelay: boolean): fc.Arbitrary<TimeControlInput> =>
  fc
    .record({
      stages: stagesArb(withDelay),
      kind: fc.constantFrom('simple' as const, 'bronstein' as const),
      cap: opt(fc.integer({ min: 1000, max: 20_000 })),
    })
    .map((r) => {
      const stages = r.stages.map((s, i) => ({
        ...s,
        time_ms: i === 0 ? Math.max(1000, s.time_ms) : s.time_ms,
        moves: i === r.stages.length - 1 ? undefined : s.moves,
      }));
      const delayed = stages.some((s) => (s.delay_ms ?? 0) > 0);
      return {
        stages,
        ...(delayed && { delay_kind: r.kind }),
        ...(!withDelay && r.cap !== undefined && { increment_cap_ms: r.cap }),
      };
    });

export const controlArb: fc.Arbitrary<TimeControlInput> = fc.oneof(
  withByoyomi,
  staged(true),
  staged(false),
);

/** per_participant under a session control, some participants with their own (time odds). */
export const controlledSessionArb: fc.Arbitrary<CreateSessionInput> = fc
  .record({
    n: fc.integer({ min: 2, max: 4 }),
    control: controlArb,
    odds: fc.array(opt(controlArb), { minLength: 4, maxLength: 4 }),
  })
  .map((r) => ({
    session_id: 'tc',
    sync_mode: 'per_participant',
    participants: Array.from({ length: r.n }, (_, i) => ({
      participant_id: `p${i}`,
      ...(r.odds[i] !== undefined && { time_control: r.odds[i] }),
    })),
    time_control: r.control,
  }));

/** Any mode, without controls (as the clock's own property tests build them). */
export const plainSessionArb: fc.Arbitrary<CreateSessionInput> = fc
  .record({
    mode: fc.constantFrom(...SYNC_MODES),
    n: fc.integer({ min: 1, max: 4 }),
    groups: fc.integer({ min: 1, max: 3 }),
    banks: fc.array(fc.integer({ min: 1000, max: 20_000 }), { minLength: 4, maxLength: 4 }),
    total: fc.integer({ min: 1000, max: 40_000 }),
    cycle: fc.integer({ min: 1000, max: 8000 }),
    increment: fc.integer({ min: 0, max: 3000 }),
    max: opt(fc.integer({ min: 1000, max: 40_000 })),
    autoAdvance: fc.boolean(),
    idle: opt(fc.integer({ min: 1, max: 3 })),
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
    max_idle_rounds: r.idle,
  }));

export type Op =
  | { dt: number; kind: 'start' | 'pause' | 'resume' | 'settle' | 'claimed_switch' | 'complete' }
  | { dt: number; kind: 'add_time'; target: number; ms: number };

const dt = fc.integer({ min: 0, max: 9000 });
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ dt, kind: fc.constant('start' as const) }) },
  { weight: 6, arbitrary: fc.record({ dt, kind: fc.constant('claimed_switch' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      dt,
      kind: fc.constantFrom('pause' as const, 'resume' as const, 'settle' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ dt, kind: fc.constant('complete' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      dt,
      kind: fc.constant('add_time' as const),
      target: fc.integer({ min: 0, max: 3 }),
      ms: fc.integer({ min: -15_000, max: 15_000 }).filter((x) => x !== 0),
    }),
  },
);

function toCommand(op: Op, state: ClockState, now: number): Command {
  switch (op.kind) {
    case 'claimed_switch': {
      const settled = applyCommand(state, { kind: 'settle' }, now).state;
      return { kind: 'switch', current_participant_id: settled.active_participant_id ?? 'nobody' };
    }
    case 'add_time': {
      const p = state.participants[op.target % state.participants.length];
      if (state.sync_mode === 'per_group')
        return { kind: 'add_time', group_id: p.group_id, ms: op.ms };
      if (state.sync_mode === 'global' || state.sync_mode === 'count_up')
        return { kind: 'add_time', ms: op.ms };
      return { kind: 'add_time', participant_id: p.participant_id, ms: op.ms };
    }
    default:
      return { kind: op.kind };
  }
}

export interface Run {
  state: ClockState;
  steps: Step[];
  now: number;
}

/** Applies the ops in order, each `dt` after the one before; refusals keep their settling. */
export function drive(spec: CreateSessionInput, ops: Op[], onStep?: (run: Run) => void): Run {
  const run: Run = { state: createSession(spec, T0).state, steps: [], now: T0 };
  for (const op of ops) {
    run.now += op.dt;
    const result = applyCommand(run.state, toCommand(op, run.state, run.now), run.now);
    run.state = result.state;
    run.steps.push(...result.steps);
    onStep?.(run);
  }
  return run;
}

export function settledAt(state: ClockState, now: number): ClockState {
  return applyCommand(state, { kind: 'settle' }, now).state;
}
