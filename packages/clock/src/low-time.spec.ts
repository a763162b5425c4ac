import { controlled, FakeSession, input, T0 } from './clock.fixtures';
import { CreateSessionInput, SyncMode, TimeControlInput } from './clock.types';
import { createSession } from './create-session';
import { lowTimeCrossing } from './low-time';
import { toView } from './session-view';
import { wakeUpOf } from './wake-up';

const L = 10_000;

const session = (mode: SyncMode, overrides: Partial<CreateSessionInput> = {}) =>
  FakeSession.of(mode, { low_time_ms: L, ...overrides });

const under = (control: TimeControlInput) =>
  new FakeSession(controlled(control, { low_time_ms: L }));

const crossing = (s: FakeSession) => lowTimeCrossing(s.state);

/** At the crossing's instant the running clock shows exactly the threshold. */
const expectExact = (s: FakeSession, participantId?: string) => {
  const c = crossing(s);
  if (c === null) throw new Error('no crossing');
  const view = toView(s.state, c.at_ms);
  const shown =
    participantId === undefined
      ? view.time_remaining_ms
      : view.participants.find((p) => p.participant_id === participantId)?.time_remaining_ms;
  expect(shown).toBe(L);
  expect(toView(s.state, c.at_ms - 1).time_remaining_ms).toBeGreaterThan(L);
};

const pass = (s: FakeSession) => s.switch();

describe('low-time warnings (section 9)', () => {
  describe('per_participant: once per turn of a bank', () => {
    it('the crossing is the instant the active bank reaches low_time_ms', () => {
      const s = session('per_participant').advance(100).start();
      expect(crossing(s)).toEqual({
        at_ms: T0 + 100 + 50_000,
        remaining_ms: L,
        participant_id: 'a',
      });
      expectExact(s, 'a');
      expect(wakeUpOf(s.state)).toBe(T0 + 50_100);
      // Once dealt with, the next thing to wake for is the flag.
      expect(wakeUpOf(s.state, T0 + 50_100)).toBe(T0 + 60_100);
    });

    it('a switch moves it to the next bank; a bank that starts its turn below is not watched', () => {
      const s = session('per_participant', { increment_ms: 1000 }).start();
      s.advance(55_000); // a crossed at T0 + 50 s
      pass(s);
      expect(crossing(s)).toEqual({ at_ms: T0 + 105_000, remaining_ms: L, participant_id: 'b' });
      s.advance(1000);
      pass(s); // a's turn starts with 6 s: below the threshold
      expect(s.participant('a').time_remaining_ms).toBe(6000);
      expect(crossing(s)).toBeNull();
      expect(wakeUpOf(s.state)).toBe(T0 + 62_000);
    });

    it('once per turn: time added after the crossing does not warn again', () => {
      const s = session('per_participant').start().advance(52_000);
      s.run({ kind: 'add_time', participant_id: 'a', ms: 60_000 });
      expect(s.participant('a').time_remaining_ms).toBe(68_000);
      expect(crossing(s)).toBeNull();
    });

    it('time added before the crossing moves it', () => {
      const s = session('per_participant').start().advance(40_000);
      s.run({ kind: 'add_time', participant_id: 'a', ms: 60_000 });
      expect(crossing(s)?.at_ms).toBe(T0 + 40_000 + 70_000);
      expectExact(s, 'a');
    });

    it('time taken that jumps past the threshold warns at that instant, with what is left', () => {
      const s = session('per_participant').start().advance(20_000);
      s.run({ kind: 'add_time', participant_id: 'a', ms: -35_000 });
      expect(crossing(s)).toEqual({ at_ms: T0 + 20_000, remaining_ms: 5000, participant_id: 'a' });
    });

    it('a pause freezes it; the resume moves it by the pause; after the crossing it stays done', () => {
      const s = session('per_participant').start().advance(20_000);
      s.run({ kind: 'pause' });
      expect(crossing(s)).toBeNull();
      s.advance(10_000).run({ kind: 'resume' });
      expect(crossing(s)?.at_ms).toBe(T0 + 60_000);
      s.advance(35_000).run({ kind: 'pause' }); // crossed at T0 + 60 s
      s.advance(1000).run({ kind: 'resume' });
      expect(crossing(s)).toBeNull();
    });

    it('a session without low_time_ms never warns', () => {
      expect(lowTimeCrossing(FakeSession.of('per_participant').start().state)).toBeNull();
      expect(lowTimeCrossing(session('per_participant').state)).toBeNull(); // pending
    });

    it('a turn handed on by a flag is watched from the flag', () => {
      const s = session('per_participant', {
        participants: ['a', 'b', 'c'].map((participant_id, i) => ({
          participant_id,
          total_time_ms: i === 0 ? 5000 : 60_000,
        })),
      }).start();
      expect(crossing(s)).toBeNull(); // a starts below
      s.advance(5000).run({ kind: 'settle' });
      expect(crossing(s)).toEqual({ at_ms: T0 + 55_000, remaining_ms: L, participant_id: 'b' });
    });
  });

  describe('per_cycle: once per turn of the turn budget', () => {
    it('every turn, fresh, whether it was switched or timed out', () => {
      const s = session('per_cycle');
      s.start();
      expect(crossing(s)).toEqual({ at_ms: T0 + 20_000, remaining_ms: L, participant_id: 'a' });
      expectExact(s, 'a');
      s.advance(30_000).run({ kind: 'settle' }); // a's turn timed out
      expect(crossing(s)).toEqual({ at_ms: T0 + 50_000, remaining_ms: L, participant_id: 'b' });
      s.advance(5000);
      pass(s);
      expect(crossing(s)?.at_ms).toBe(T0 + 55_000);
    });

    it('a turn budget at or below the threshold is never watched', () => {
      expect(crossing(session('per_cycle', { time_per_cycle_ms: L }).start())).toBeNull();
    });
  });

  describe('per_group: the active group’s bank, once per turn', () => {
    it('names the member and its group', () => {
      const s = session('per_group').start();
      expect(crossing(s)).toEqual({
        at_ms: T0 + 50_000,
        remaining_ms: L,
        participant_id: 'a',
        group_id: 'red',
      });
      expectExact(s, 'a');
      s.advance(5000);
      pass(s);
      expect(crossing(s)).toMatchObject({ at_ms: T0 + 55_000, group_id: 'blue' });
      s.advance(1000);
      pass(s);
      expect(crossing(s)).toMatchObject({ at_ms: T0 + 6000 + 45_000, group_id: 'red' });
    });
  });

  describe('global and count_up: once per session', () => {
    it('global: the shared countdown, whatever the turns', () => {
      const s = session('global').start();
      expect(crossing(s)).toEqual({ at_ms: T0 + 590_000, remaining_ms: L });
      expectExact(s);
      s.advance(5000);
      pass(s);
      expect(crossing(s)).toEqual({ at_ms: T0 + 590_000, remaining_ms: L });
      s.advance(590_000);
      s.run({ kind: 'add_time', ms: 60_000 }); // crossed at T0 + 590 s
      expect(s.view().time_remaining_ms).toBe(65_000);
      expect(crossing(s)).toBeNull();
      s.advance(1000);
      pass(s);
      expect(crossing(s)).toBeNull();
    });

    it('count_up: the cap, and nothing without one', () => {
      const s = session('count_up', { max_time_ms: 60_000 }).start();
      expect(crossing(s)).toEqual({ at_ms: T0 + 50_000, remaining_ms: L });
      expectExact(s);
      expect(crossing(session('count_up').start())).toBeNull();
    });
  });

  describe('section 7: the main bank only', () => {
    it('no delay, and Bronstein: the bank runs from the turn start', () => {
      const plain = under({ stages: [{ time_ms: 60_000 }] }).start();
      expect(crossing(plain)?.at_ms).toBe(T0 + 50_000);
      const bronstein = under({
        stages: [{ time_ms: 60_000, delay_ms: 5000 }],
        delay_kind: 'bronstein',
      }).start();
      expect(crossing(bronstein)?.at_ms).toBe(T0 + 50_000);
      expectExact(bronstein, 'a');
    });

    it('simple delay: the bank waits for the delay first', () => {
      const s = under({ stages: [{ time_ms: 60_000, delay_ms: 5000 }], delay_kind: 'simple' });
      s.start();
      expect(crossing(s)?.at_ms).toBe(T0 + 55_000);
      expectExact(s, 'a');
      s.advance(3000).run({ kind: 'add_time', participant_id: 'a', ms: 1000 });
      expect(crossing(s)?.at_ms).toBe(T0 + 56_000);
    });

    it('byo-yomi is not watched: a turn that starts with the bank empty has no warning', () => {
      const s = under({
        stages: [{ time_ms: 60_000 }],
        byoyomi: { kind: 'japanese', periods: 3, period_ms: 30_000 },
      }).start();
      expect(crossing(s)?.at_ms).toBe(T0 + 50_000);
      s.advance(70_000);
      pass(s); // a moved in byo-yomi
      s.advance(1000);
      pass(s);
      expect(s.participant('a').time_remaining_ms).toBe(0);
      expect(crossing(s)).toBeNull();
      expect(wakeUpOf(s.state)).toBe(T0 + 71_000 + 90_000);
    });
  });

  it('low_time_ms is echoed in the state and checked at create', () => {
    expect(session('per_participant').view().low_time_ms).toBe(L);
    expect(FakeSession.of('per_participant').view().low_time_ms).toBeNull();
    for (const low_time_ms of [999, 3_600_001, 1.5]) {
      expect(() => createSession(input('global', { low_time_ms }), T0)).toThrow(/low_time_ms/);
    }
  });
});
