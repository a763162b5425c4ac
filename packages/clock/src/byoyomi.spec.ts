import { controlled, FakeSession, T0 } from './clock.fixtures';
import { deadlineOf, runHorizonMs } from './running-clock';

/** 10 s of main time, then byo-yomi of 5 s periods. */
const japanese = (periods = 3) =>
  new FakeSession(
    controlled({
      stages: [{ time_ms: 10_000 }],
      byoyomi: { kind: 'japanese', periods, period_ms: 5000 },
    }),
  );
const canadian = (moves = 2) =>
  new FakeSession(
    controlled({
      stages: [{ time_ms: 10_000 }],
      byoyomi: { kind: 'canadian', moves, period_ms: 5000 },
    }),
  );

const addTime = (s: FakeSession, ms: number, participant_id = 'a') =>
  s.run({ kind: 'add_time', participant_id, ms });

describe('byo-yomi (section 7)', () => {
  describe('Japanese', () => {
    it('when the bank empties the participant plays on in periods, counted live', () => {
      const s = japanese().start().advance(10_000);
      expect(s.participant('a')).toMatchObject({
        has_expired: false,
        time_remaining_ms: 0,
        time_used_ms: 10_000,
        total_time_ms: 10_000,
        byoyomi_state: { periods_left: 3, period_remaining_ms: 5000 },
        byoyomi_periods_left: 3,
      });
      expect(s.view().time_remaining_ms).toBe(0);
      s.advance(2000);
      expect(s.participant('a').byoyomi_state).toEqual({
        periods_left: 3,
        period_remaining_ms: 3000,
      });
      s.advance(3000);
      expect(s.participant('a').byoyomi_state).toEqual({
        periods_left: 2,
        period_remaining_ms: 5000,
      });
      expect(s.participant('b').byoyomi_state).toBeNull();
    });

    it('the flag falls at byo-yomi start + p × period; one ms earlier it still plays', () => {
      const s = japanese().start();
      expect(deadlineOf(s.state)).toBe(T0 + 10_000 + 15_000);
      s.advance(24_999);
      expect(s.participant('a').byoyomi_state).toEqual({ periods_left: 1, period_remaining_ms: 1 });
      s.advance(1);
      const v = s.view();
      expect(v).toMatchObject({
        status: 'expired',
        session_completed_at: new Date(T0 + 25_000).toISOString(),
      });
      expect(v.participants[0]).toMatchObject({
        has_expired: true,
        byoyomi_state: { periods_left: 0, period_remaining_ms: 0 },
      });
    });

    it('a move at the very instant the bank empties is a byo-yomi move that keeps every period', () => {
      const s = japanese().start().advance(10_000);
      s.switch();
      expect(s.details()).toMatchObject({ charged_ms: 10_000 });
      expect(s.participant('a')).toMatchObject({
        time_remaining_ms: 0,
        byoyomi_state: { periods_left: 3, period_remaining_ms: 5000 },
      });
    });

    it.each([
      [4999, 3],
      [5000, 2], // exactly one period: used
      [9999, 2],
      [10_000, 1],
    ])('a move %i ms into byo-yomi keeps the periods left as they stand (%i)', (s_, left) => {
      const s = japanese()
        .start()
        .advance(10_000 + s_);
      s.switch();
      // A waiting participant shows a whole period.
      expect(s.participant('a').byoyomi_state).toEqual({
        periods_left: left,
        period_remaining_ms: 5000,
      });
      s.advance(1000).switch(); // b
      // A turn that begins in byo-yomi: the flag at its start + p × period.
      expect(deadlineOf(s.state)).toBe(s.now + left * 5000);
    });

    it('a pause freezes the periods', () => {
      const s = japanese().start().advance(12_000);
      s.run({ kind: 'pause' });
      s.advance(100_000);
      expect(s.participant('a').byoyomi_state).toEqual({
        periods_left: 3,
        period_remaining_ms: 3000,
      });
      s.run({ kind: 'resume' });
      expect(deadlineOf(s.state)).toBe(s.now + 13_000);
      s.advance(4000);
      expect(s.participant('a').byoyomi_state).toEqual({
        periods_left: 2,
        period_remaining_ms: 4000,
      });
    });

    it('add-time returns it to main time; this turn’s byo-yomi is forgiven', () => {
      const s = japanese().start().advance(17_000); // 7 s into byo-yomi: 2 periods left, live
      addTime(s, 4000);
      expect(s.participant('a')).toMatchObject({
        time_remaining_ms: 4000,
        total_time_ms: 14_000,
        byoyomi_state: null,
        byoyomi_periods_left: 3,
      });
      // The turn goes on: 4 s of bank, then byo-yomi with the periods it had when it began.
      expect(deadlineOf(s.state)).toBe(T0 + 17_000 + 4000 + 15_000);
    });

    it('periods used in earlier turns stay used after add-time', () => {
      const s = japanese().start().advance(15_000); // one period used
      s.switch();
      s.advance(10).switch(); // b
      addTime(s, 2000);
      expect(s.participant('a')).toMatchObject({ byoyomi_state: null, byoyomi_periods_left: 2 });
      expect(deadlineOf(s.state)).toBe(s.now + 2000 + 10_000);
    });

    it('time taken that empties the bank starts byo-yomi at once', () => {
      const s = japanese().start().advance(2000);
      addTime(s, -20_000);
      expect(s.last.steps.map((x) => x.type)).toEqual(['time_added']);
      expect(s.last.steps[0].details).toEqual({ requested_ms: -20_000, applied_ms: -8000 });
      expect(s.participant('a').byoyomi_state).toEqual({
        periods_left: 3,
        period_remaining_ms: 5000,
      });
      expect(deadlineOf(s.state)).toBe(T0 + 2000 + 15_000);
    });

    it('taking from a bank already empty does nothing', () => {
      const s = japanese().start().advance(12_000);
      addTime(s, -5000);
      expect(s.last.steps[0].details).toEqual({ requested_ms: -5000, applied_ms: 0 });
      expect(s.participant('a').byoyomi_state).toEqual({
        periods_left: 3,
        period_remaining_ms: 3000,
      });
      expect(deadlineOf(s.state)).toBe(T0 + 25_000);
    });

    it('a waiting participant taken to an empty bank waits in byo-yomi', () => {
      const s = japanese().start();
      addTime(s, -10_000, 'b');
      expect(s.participant('b')).toMatchObject({
        has_expired: false,
        byoyomi_state: { periods_left: 3, period_remaining_ms: 5000 },
      });
      s.advance(1000).switch();
      expect(deadlineOf(s.state)).toBe(T0 + 1000 + 15_000);
    });

    it('a running session with byo-yomi has no horizon: Redis never evicts it', () => {
      // runHorizonMs feeds the TTL (SessionTtlPolicy): Infinity means no expiry while running.
      expect(runHorizonMs(japanese().start().state)).toBe(Infinity);
      expect(runHorizonMs(canadian().start().advance(12_000).state)).toBe(Infinity);
    });
  });

  describe('Canadian', () => {
    it('when the bank empties, a period begins: moves to make in period_ms', () => {
      const s = canadian().start().advance(10_000);
      expect(s.participant('a').byoyomi_state).toEqual({
        moves_left: 2,
        period_remaining_ms: 5000,
      });
      expect(deadlineOf(s.state)).toBe(T0 + 15_000);
    });

    it('each move counts one down; the period runs only during its own turns', () => {
      const s = canadian().start().advance(11_000);
      s.switch();
      expect(s.participant('a').byoyomi_state).toEqual({
        moves_left: 1,
        period_remaining_ms: 4000,
      });
      s.advance(8000).switch(); // b plays long: a's period does not run
      expect(s.participant('a').byoyomi_state).toEqual({
        moves_left: 1,
        period_remaining_ms: 4000,
      });
      expect(deadlineOf(s.state)).toBe(s.now + 4000);
    });

    it('the move that makes the count reach 0 starts a fresh period, leftover lost', () => {
      const s = canadian().start().advance(11_000);
      s.switch();
      s.advance(1000).switch(); // b
      s.advance(1000).switch(); // a: second move of the period
      expect(s.participant('a').byoyomi_state).toEqual({
        moves_left: 2,
        period_remaining_ms: 5000,
      });
    });

    it('a move at the very instant the bank empties counts as the first of the period', () => {
      const s = canadian(1).start().advance(10_000);
      s.switch();
      expect(s.participant('a').byoyomi_state).toEqual({
        moves_left: 1,
        period_remaining_ms: 5000,
      });
    });

    it('the flag falls when the period runs out first; at that instant a move is too late', () => {
      const s = canadian().start().advance(11_000);
      s.switch();
      s.advance(1000).switch(); // b
      s.advance(4000);
      const r = s.switch({ current_participant_id: 'a' });
      expect(r.expired_participant_id).toBe('a');
      expect(r.steps[0]).toMatchObject({ type: 'session_expired', at: s.now });
    });

    it('add-time returns it to main time; the next empty bank starts a fresh period', () => {
      const s = canadian().start().advance(11_000);
      s.switch();
      s.advance(1000).switch(); // b; a waits with 1 move in 4 s
      addTime(s, 3000);
      expect(s.participant('a').byoyomi_state).toBeNull();
      s.advance(3000);
      expect(s.participant('a').byoyomi_state).toEqual({
        moves_left: 2,
        period_remaining_ms: 5000,
      });
      expect(deadlineOf(s.state)).toBe(s.now + 5000);
    });

    it('a pause freezes the period', () => {
      const s = canadian().start().advance(12_000);
      s.run({ kind: 'pause' });
      s.advance(60_000);
      s.run({ kind: 'resume' });
      expect(s.participant('a').byoyomi_state).toEqual({
        moves_left: 2,
        period_remaining_ms: 3000,
      });
      expect(deadlineOf(s.state)).toBe(s.now + 3000);
    });
  });

  it('the audit of a byo-yomi move: charged what the bank lost, nothing given', () => {
    const s = japanese().start().advance(2000);
    s.switch();
    s.advance(1000).switch(); // b
    s.advance(9000).switch(); // a: 8 s of bank left, 1 s of byo-yomi
    expect(s.details()).toEqual({
      next_participant_id: 'b',
      charged_ms: 8000,
      delay_refund_ms: 0,
      increment_ms: 0,
      stage_added_ms: 0,
    });
    s.advance(1000).switch(); // b
    s.advance(1000).switch(); // a: all in byo-yomi
    expect(s.details()).toMatchObject({ charged_ms: 0 });
  });
});
