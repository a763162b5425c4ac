import fc from 'fast-check';
import { applyCommand } from './apply-command';
import { ClockState, Command, CreateSessionInput, TimeControlInput } from './clock.types';
import { RefClock, refControl } from './contract-s7.fixtures';
import { createSession } from './create-session';
import { SessionView, toView } from './session-view';
import { anchorFromView } from './anchor-from-view';

/**
 * Section 7 against an independent reference that ticks one millisecond at a time: for any
 * controls (time odds included), any commands, at any instants (the exact boundaries of the
 * delay, the bank and each period among them), the clock shows what the reference shows.
 */
const T0 = 1_900_000_000_000;

const stageArb = fc.record({
  time_ms: fc.integer({ min: 0, max: 2500 }),
  rule: fc.constantFrom('none', 'increment', 'delay'),
  amount: fc.integer({ min: 1, max: 900 }),
  moves: fc.integer({ min: 1, max: 3 }),
});

const stagedArb: fc.Arbitrary<TimeControlInput> = fc
  .record({
    stages: fc.array(stageArb, { minLength: 1, maxLength: 3 }),
    kind: fc.constantFrom('simple' as const, 'bronstein' as const),
    cap: fc.option(fc.integer({ min: 1000, max: 4000 }), { nil: undefined }),
  })
  .map(({ stages, kind, cap }) => {
    const out = stages.map((s, i) => ({
      time_ms: i === 0 ? Math.max(1000, s.time_ms) : s.time_ms,
      ...(s.rule === 'increment' && { increment_ms: s.amount }),
      ...(s.rule === 'delay' && { delay_ms: s.amount }),
      ...(i < stages.length - 1 && { moves: s.moves }),
    }));
    return {
      stages: out,
      ...(out.some((s) => (s.delay_ms ?? 0) > 0) && { delay_kind: kind }),
      ...(cap !== undefined && { increment_cap_ms: cap }),
    };
  });

const byoyomiArb: fc.Arbitrary<TimeControlInput> = fc
  .record({
    time_ms: fc.integer({ min: 1000, max: 2000 }),
    japanese: fc.boolean(),
    count: fc.integer({ min: 1, max: 3 }),
    period_ms: fc.integer({ min: 1000, max: 1600 }),
  })
  .map(({ time_ms, japanese, count, period_ms }) => ({
    stages: [{ time_ms }],
    byoyomi: japanese
      ? { kind: 'japanese' as const, periods: count, period_ms }
      : { kind: 'canadian' as const, moves: count, period_ms },
  }));

const controlArb = fc.oneof(stagedArb, byoyomiArb);

const sessionArb: fc.Arbitrary<CreateSessionInput> = fc
  .record({
    session: fc.option(controlArb, { nil: undefined }),
    own: fc.array(fc.record({ control: controlArb, used: fc.boolean() }), {
      minLength: 2,
      maxLength: 3,
    }),
  })
  .map(({ session, own }) => ({
    session_id: 'ref',
    sync_mode: 'per_participant' as const,
    ...(session && { time_control: session }),
    participants: own.map(({ control, used }, i) => ({
      participant_id: `p${i}`,
      ...((used || !session) && { time_control: control }),
    })),
  }));

type Op =
  | { kind: 'wait'; ms: number }
  | { kind: 'boundary'; which: number; off: number }
  | { kind: 'switch' | 'pause' | 'resume' }
  | { kind: 'add'; target: number; ms: number }
  | { kind: 'switchTo'; target: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 1500 }) }),
  fc.record({
    kind: fc.constant('boundary' as const),
    which: fc.nat(3),
    off: fc.integer({ min: -1, max: 1 }),
  }),
  fc.record({ kind: fc.constant('boundary' as const), which: fc.nat(3), off: fc.constant(0) }),
  fc.record({ kind: fc.constant('switch' as const) }),
  fc.record({ kind: fc.constant('switch' as const) }),
  fc.record({ kind: fc.constantFrom('pause' as const, 'resume' as const) }),
  fc.record({ kind: fc.constant('switchTo' as const), target: fc.nat(2) }),
  fc.record({
    kind: fc.constant('add' as const),
    target: fc.nat(2),
    ms: fc.integer({ min: -2500, max: 2500 }).filter((x) => x !== 0),
  }),
);

class Pair {
  state: ClockState;
  readonly ref: RefClock;
  readonly timeouts: { participant_id: string; at_ms: number }[] = [];

  constructor(spec: CreateSessionInput) {
    this.state = createSession(spec, T0).state;
    this.ref = new RefClock(
      spec.participants.map((p) => ({
        id: p.participant_id,
        control: refControl((p.time_control ?? spec.time_control) as TimeControlInput),
      })),
      T0,
    );
  }

  run(command: Command, now: number) {
    const r = applyCommand(this.state, command, now);
    this.state = r.state;
    for (const step of r.steps)
      for (const x of step.timeouts.filter((y) => y.kind === 'participant'))
        this.timeouts.push({ participant_id: x.participant_id as string, at_ms: x.at_ms });
    return r;
  }

  apply(op: Op): void {
    const ref = this.ref;
    if (op.kind === 'wait' || op.kind === 'boundary') {
      const instants = ref.nextInstants();
      const to =
        op.kind === 'wait'
          ? ref.now + op.ms
          : instants.length === 0
            ? ref.now
            : ref.now + Math.max(0, instants[op.which % instants.length] + op.off);
      ref.advanceTo(to);
      this.run({ kind: 'settle' }, to);
      return;
    }
    const now = ref.now;
    if (op.kind === 'switch') {
      const account = ref.switchTurn();
      const r = this.run({ kind: 'switch' }, now);
      expect(r.error?.code).toBe(account ? undefined : 'INVALID_STATE_TRANSITION');
      if (account) {
        const step = r.steps.find((s) => s.type === 'cycle_switched');
        expect(step?.details).toMatchObject({ ...account });
      }
    } else if (op.kind === 'switchTo') {
      const target = op.target % ref.ps.length;
      const running = ref.status === 'running';
      const account = ref.switchTurn(target);
      const r = this.run({ kind: 'switch', next_participant_id: ref.ps[target].id }, now);
      const refusal = running ? 'VALIDATION_ERROR' : 'INVALID_STATE_TRANSITION';
      expect(r.error?.code).toBe(account ? undefined : refusal);
      if (account) expect(r.steps.at(-1)?.details).toMatchObject({ ...account });
    } else if (op.kind === 'pause' || op.kind === 'resume') {
      const ok = op.kind === 'pause' ? ref.pause() : ref.resume();
      expect(this.run({ kind: op.kind }, now).error === undefined).toBe(ok);
    } else if (op.kind === 'add') {
      const p = ref.ps[op.target % ref.ps.length];
      if (p.expired) return;
      const ok = ref.addTime(p.id, op.ms);
      const r = this.run({ kind: 'add_time', participant_id: p.id, ms: op.ms }, now);
      expect(r.error === undefined).toBe(ok);
    }
  }

  check(later: number): void {
    const ref = this.ref;
    const view = toView(this.run({ kind: 'settle' }, ref.now).state, ref.now);
    const expected = ref.view();
    expect(view.status).toBe(ref.status);
    const started = ref.turnStartedAt;
    expect(view.cycle_started_at).toBe(started === null ? null : new Date(started).toISOString());
    expect(this.timeouts).toEqual(ref.flags);
    this.roundTrip(view, ref.now + later);
    if (ref.status === 'expired') {
      expect(view.session_completed_at).toBe(new Date(ref.completedAt as number).toISOString());
      expect(view.active_participant_id).toBeNull();
    } else {
      expect(view.active_participant_id).toBe(ref.active === null ? null : ref.ps[ref.active].id);
    }
    view.participants.forEach((p, i) => {
      const e = expected[i];
      const shown = { ...p, participant_index: 0, time_control: 0, byoyomi_periods_left: 0 };
      const want = { ...e, participant_index: 0, time_control: 0, byoyomi_periods_left: 0 };
      // Who ran out shows an empty bank; its byo-yomi and delay are no longer the rules' to say.
      if (e.has_expired || ref.status === 'expired')
        Object.assign(shown, { byoyomi_state: 0, delay_remaining_ms: 0, is_active: 0 });
      if (e.has_expired || ref.status === 'expired')
        Object.assign(want, { byoyomi_state: 0, delay_remaining_ms: 0, is_active: 0 });
      if (e.has_expired)
        Object.assign(want, { time_remaining_ms: 0, time_used_ms: e.total_time_ms });
      expect(shown).toEqual(want);
    });
    if (ref.status === 'running' && ref.active !== null)
      expect(view.time_remaining_ms).toBe(expected[ref.active].time_remaining_ms);
  }

  /** What a client rebuilds from this view and settles later shows what the server shows. */
  private roundTrip(view: SessionView, later: number): void {
    const settledAt = (state: ClockState) =>
      toView(applyCommand(state, { kind: 'settle' }, later).state, later);
    const direct = settledAt(this.state);
    const rebuilt = settledAt(anchorFromView(view));
    expect({ ...rebuilt, cycle_started_at: null, version: 0, updated_at: null }).toEqual({
      ...direct,
      cycle_started_at: null,
      version: 0,
      updated_at: null,
    });
  }
}

describe('section 7 against a ticking reference', () => {
  it('shows, at every instant, what the rules say', () => {
    fc.assert(
      fc.property(
        sessionArb,
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        fc.nat(4000),
        (spec, ops, later) => {
          const pair = new Pair(spec);
          pair.ref.start();
          pair.run({ kind: 'start' }, T0);
          pair.check(later);
          for (const op of ops) {
            if (pair.ref.status === 'expired') break;
            pair.apply(op);
            pair.check(later);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
