import fc from 'fast-check';
import { applyCommand } from './apply-command';
import { controlled, FakeSession, T0 } from './clock.fixtures';
import { ClockState, TimeControlInput } from './clock.types';
import { createSession } from './create-session';
import { deadlineOf, runHorizonMs } from './running-clock';
import { toView } from './session-view';

/**
 * Section 7 sentence by sentence, at its boundaries, and the discrepancies a review found
 * (each pinned here): add-time keeps the turn's start, a bank taken to zero during a pause
 * passes the turn once, and any control at its largest stays in exact integers.
 */
const game = (control: TimeControlInput, players = ['a', 'b']) =>
  new FakeSession(
    controlled(control, { participants: players.map((participant_id) => ({ participant_id })) }),
  );
const iso = (ms: number) => new Date(ms).toISOString();
const simple = { stages: [{ time_ms: 10_000, delay_ms: 3000 }], delay_kind: 'simple' as const };
const bronstein = {
  stages: [{ time_ms: 10_000, delay_ms: 3000 }],
  delay_kind: 'bronstein' as const,
};

describe('section 7, sentence by sentence', () => {
  describe('"cycle_started_at is the instant the turn began, or the resume within the turn"', () => {
    it('add-time during the turn does not move it, and the delay does not restart', () => {
      const s = game(simple).start().advance(1000);
      s.run({ kind: 'add_time', participant_id: 'a', ms: 5000 });
      expect(s.view()).toMatchObject({ cycle_started_at: iso(T0), time_remaining_ms: 15_000 });
      expect(s.participant('a').delay_remaining_ms).toBe(2000);
      // The flag stays at turn start + D + B, B raised by what was added.
      expect(deadlineOf(s.state)).toBe(T0 + 3000 + 15_000);
      s.advance(4000);
      expect(s.view()).toMatchObject({ cycle_started_at: iso(T0), time_remaining_ms: 13_000 });
      s.switch();
      expect(s.details()).toMatchObject({ charged_ms: 2000, delay_refund_ms: 0 });
    });

    it('add-time to the waiting participant does not move the active turn start', () => {
      const s = game(bronstein).start().advance(700);
      s.run({ kind: 'add_time', participant_id: 'b', ms: -4000 });
      expect(s.view().cycle_started_at).toBe(iso(T0));
      s.advance(300).switch();
      expect(s.details()).toMatchObject({ charged_ms: 0, delay_refund_ms: 1000 });
    });

    it('after a pause it is the resume, and add-time after that keeps the resume', () => {
      const s = game(simple).start().advance(1000);
      s.run({ kind: 'pause' });
      s.advance(60_000).run({ kind: 'resume' });
      s.advance(500).run({ kind: 'add_time', participant_id: 'a', ms: 1000 });
      expect(s.view()).toMatchObject({ cycle_started_at: iso(T0 + 61_000) });
      expect(s.participant('a').delay_remaining_ms).toBe(1500);
    });

    it('the Redis horizon still counts from cycle_started_at: nothing evicted early', () => {
      const s = game(simple).start().advance(2500);
      s.run({ kind: 'add_time', participant_id: 'b', ms: 1000 });
      // a: 500 ms of delay then 10 s; b: a whole delay and 11 s; counted from the turn start.
      expect(runHorizonMs(s.state)).toBeGreaterThanOrEqual(2500 + 500 + 10_000 + 3000 + 11_000);
      expect(runHorizonMs(s.state)).toBeLessThanOrEqual(2500 + 3000 + 10_000 + 3000 + 11_000);
    });

    it('taking byo-yomi time back with add-time keeps the turn start', () => {
      const s = game({
        stages: [{ time_ms: 1000 }],
        byoyomi: { kind: 'japanese', periods: 2, period_ms: 1000 },
      }).start();
      s.advance(1500).run({ kind: 'add_time', participant_id: 'a', ms: 200 });
      expect(s.view().cycle_started_at).toBe(iso(T0));
      expect(s.participant('a')).toMatchObject({ time_remaining_ms: 200, byoyomi_state: null });
      expect(deadlineOf(s.state)).toBe(T0 + 1500 + 200 + 2000);
    });
  });

  describe('§3 "the turn passes to the next participant with time left" while paused', () => {
    it.each([true, false])(
      'control %p: the turn passes at once, and nothing expires twice',
      (ctl) => {
        const s = new FakeSession({
          session_id: 'paused',
          sync_mode: 'per_participant',
          participants: ['a', 'b', 'c'].map((participant_id) =>
            ctl ? { participant_id } : { participant_id, total_time_ms: 1000 },
          ),
          ...(ctl && { time_control: { stages: [{ time_ms: 1000 }] } }),
        }).start();
        s.advance(100).switch();
        s.run({ kind: 'pause' });
        const r = s.run({ kind: 'add_time', participant_id: 'b', ms: -5000 });
        expect(r.steps.map((x) => x.type)).toEqual(['time_added', 'participant_expired']);
        expect(s.state).toMatchObject({
          status: 'paused',
          active_participant_id: 'c',
          cycle_started_at: null,
        });
        s.advance(1000).run({ kind: 'resume' });
        s.advance(10);
        expect(applyCommand(s.state, { kind: 'settle' }, s.now).steps).toEqual([]);
        expect(s.view()).toMatchObject({
          active_participant_id: 'c',
          time_remaining_ms: 990,
          cycle_started_at: iso(T0 + 1100),
        });
      },
    );
  });

  describe('instants', () => {
    it('a move at exactly the end of the delay charges 0; one ms later charges 1', () => {
      for (const [extra, charged] of [
        [0, 0],
        [1, 1],
      ]) {
        for (const control of [simple, bronstein]) {
          const s = game(control)
            .start()
            .advance(3000 + extra);
          s.switch();
          expect(s.details()).toMatchObject({
            charged_ms: charged,
            delay_refund_ms: control === bronstein ? 3000 : 0,
          });
          expect(s.participant('a').time_remaining_ms).toBe(10_000 - charged);
        }
      }
    });

    it('"a move at or after the flag instant is too late" under each delay', () => {
      for (const [control, flag] of [
        [simple, 13_000],
        [bronstein, 10_000],
      ] as const) {
        const early = game(control)
          .start()
          .advance(flag - 1);
        early.switch();
        expect(early.state.status).toBe('running');
        const late = game(control).start().advance(flag);
        late.switch({ current_participant_id: 'a' });
        expect(late.last.expired_participant_id).toBe('a');
        expect(late.state).toMatchObject({ status: 'expired', session_completed_at: T0 + flag });
      }
    });

    it('Japanese: a move at exactly one period has used it; the last period at its end flags', () => {
      const jp = {
        stages: [{ time_ms: 1000 }],
        byoyomi: { kind: 'japanese' as const, periods: 2, period_ms: 1000 },
      };
      const s = game(jp).start().advance(2000);
      s.switch();
      expect(s.participant('a').byoyomi_state).toEqual({
        periods_left: 1,
        period_remaining_ms: 1000,
      });
      s.advance(1).switch();
      expect(deadlineOf(s.state)).toBe(s.now + 1000);
      s.advance(1000).switch({ current_participant_id: 'a' });
      expect(s.state).toMatchObject({ status: 'expired', session_completed_at: s.now });
    });
  });

  describe('Fischer with a cap and stages', () => {
    it('the last move of a stage: increment after the cap, then the next stage, then its rules', () => {
      const s = game({
        stages: [
          { time_ms: 5000, increment_ms: 3000, moves: 2 },
          { time_ms: 2000, delay_ms: 500 },
        ],
        delay_kind: 'bronstein',
        increment_cap_ms: 6000,
      }).start();
      s.advance(1000).switch(); // a: 4000 + min(3000, cap 6000 - 4000) = 6000
      expect(s.details()).toMatchObject({
        charged_ms: 1000,
        increment_ms: 2000,
        stage_added_ms: 0,
      });
      s.advance(10).switch();
      s.advance(100).switch(); // a's move 2 completes stage 0: 5900 + 100 (cap) + 2000
      expect(s.details()).toMatchObject({
        charged_ms: 100,
        increment_ms: 100,
        stage_added_ms: 2000,
      });
      expect(s.participant('a')).toMatchObject({
        time_remaining_ms: 8000,
        total_time_ms: 9100,
        stage_index: 1,
      });
      s.advance(10).switch();
      s.advance(800).switch(); // stage 1: Bronstein 500, no increment
      expect(s.details()).toMatchObject({ charged_ms: 300, delay_refund_ms: 500, increment_ms: 0 });
      expect(s.participant('a')).toMatchObject({ time_remaining_ms: 7700, total_time_ms: 9100 });
    });

    it('a bank already above the cap gains nothing: max(bank, min(bank + inc, cap))', () => {
      const s = game({
        stages: [{ time_ms: 20_000, increment_ms: 5000 }],
        increment_cap_ms: 10_000,
      }).start();
      s.advance(1000).switch();
      expect(s.details()).toMatchObject({ charged_ms: 1000, increment_ms: 0 });
      expect(s.participant('a')).toMatchObject({
        time_remaining_ms: 19_000,
        total_time_ms: 20_000,
      });
    });
  });
});

describe('integers at the largest controls', () => {
  const huge: TimeControlInput = {
    stages: [
      ...[0, 1, 2, 3].map(() => ({ time_ms: 86_400_000, increment_ms: 60_000, moves: 500 })),
      { time_ms: 86_400_000, delay_ms: 60_000 },
    ],
    delay_kind: 'simple',
    increment_cap_ms: 86_400_000,
  };
  const japanese: TimeControlInput = {
    stages: [{ time_ms: 86_400_000 }],
    byoyomi: { kind: 'japanese', periods: 50, period_ms: 3_600_000 },
  };

  const ints = (state: ClockState, now: number) => {
    const v = toView(state, now);
    const values = [
      v.time_remaining_ms,
      v.time_elapsed_ms,
      deadlineOf(state) ?? 0,
      runHorizonMs(state),
    ];
    for (const p of v.participants) {
      values.push(
        p.total_time_ms,
        p.time_used_ms,
        p.time_remaining_ms ?? 0,
        p.delay_remaining_ms ?? 0,
      );
      if (p.byoyomi_state) values.push(...Object.values(p.byoyomi_state));
    }
    return values.filter((x) => x !== null && x !== Infinity);
  };

  it('any moves at any instants keep every ms a safe integer, never negative', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(huge, japanese),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 90_000_000 }),
            fc.constantFrom('switch', 'add', 'take'),
          ),
          { maxLength: 60 },
        ),
        (control, moves) => {
          let state = createSession(controlled(control), T0).state;
          let now = T0;
          state = applyCommand(state, { kind: 'start' }, now).state;
          for (const [dt, kind] of moves) {
            now += dt;
            const command =
              kind === 'switch'
                ? ({ kind: 'switch' } as const)
                : ({
                    kind: 'add_time',
                    participant_id: 'a',
                    ms: kind === 'add' ? 86_400_000 : -86_400_000,
                  } as const);
            state = applyCommand(state, command, now).state;
            for (const x of ints(applyCommand(state, { kind: 'settle' }, now).state, now)) {
              expect(Number.isSafeInteger(x)).toBe(true);
              expect(x).toBeGreaterThanOrEqual(0);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the largest five-stage control adds each stage exactly at its last move', () => {
    const s = game(huge).start();
    for (let move = 1; move <= 2000; move++) {
      s.advance(1).switch();
      s.advance(1).switch();
    }
    // 4 stages × 500 moves of +60,000 (capped at a day: the bank is far above it after stage 1).
    const a = s.participant('a');
    expect(a.stage_index).toBe(4);
    expect(a.total_time_ms - a.time_used_ms).toBe(a.time_remaining_ms);
    expect(Number.isSafeInteger(a.total_time_ms)).toBe(true);
    expect(a.total_time_ms).toBeGreaterThanOrEqual(5 * 86_400_000);
  });
});
