import { controlled, FakeSession, T0 } from './clock.fixtures';
import { TimeControlInput } from './clock.types';
import { deadlineOf } from './running-clock';

const game = (control: TimeControlInput) => new FakeSession(controlled(control));
const account = (charged: number, refund: number, increment: number, stage: number) => ({
  next_participant_id: expect.any(String),
  charged_ms: charged,
  delay_refund_ms: refund,
  increment_ms: increment,
  stage_added_ms: stage,
});

describe('time controls (section 7)', () => {
  describe('no delay, Fischer increment', () => {
    const fischer = () => game({ stages: [{ time_ms: 60_000, increment_ms: 2000 }] });

    it('starts every participant at its first stage, no increment before the first move', () => {
      const v = fischer().start().view();
      expect(v.time_control).toEqual({ stages: [{ time_ms: 60_000, increment_ms: 2000 }] });
      expect(v.participants[0]).toMatchObject({
        total_time_ms: 60_000,
        time_remaining_ms: 60_000,
        stage_index: 0,
        delay_remaining_ms: 0,
        byoyomi_state: null,
        time_control: { stages: [{ time_ms: 60_000, increment_ms: 2000 }] },
      });
    });

    it('a move charges t, then adds the increment; the audit says so', () => {
      const s = fischer().start().advance(5000);
      s.switch();
      expect(s.details()).toEqual({ ...account(5000, 0, 2000, 0), next_participant_id: 'b' });
      expect(s.participant('a')).toMatchObject({
        total_time_ms: 62_000,
        time_used_ms: 5000,
        time_remaining_ms: 57_000,
      });
    });

    it('the flag falls at turn start + B; a move at that instant is too late', () => {
      const s = fischer().start();
      expect(deadlineOf(s.state)).toBe(T0 + 60_000);
      s.advance(59_999);
      expect(s.view()).toMatchObject({ status: 'running', time_remaining_ms: 1 });
      s.advance(1);
      const r = s.switch({ current_participant_id: 'a' });
      expect(r.expired_participant_id).toBe('a');
      expect(r.steps.map((x) => [x.type, x.at])).toEqual([['session_expired', T0 + 60_000]]);
    });
  });

  describe('simple (US) delay', () => {
    const us = () => game({ stages: [{ time_ms: 10_000, delay_ms: 3000 }], delay_kind: 'simple' });

    it('the bank does not run for the first D ms of the turn', () => {
      const s = us().start().advance(2000);
      expect(s.view()).toMatchObject({ time_remaining_ms: 10_000 });
      expect(s.participant('a')).toMatchObject({
        time_used_ms: 0,
        time_remaining_ms: 10_000,
        delay_remaining_ms: 1000,
      });
      s.advance(2000);
      expect(s.participant('a')).toMatchObject({ time_remaining_ms: 9000, delay_remaining_ms: 0 });
      expect(s.participant('b')).toMatchObject({ delay_remaining_ms: 0 });
    });

    it.each([
      [1000, 0],
      [3000, 0], // exactly at the end of the delay
      [3001, 1],
      [7500, 4500],
    ])('a move at t = %i charges %i; unused delay is lost', (t, charged) => {
      const s = us().start().advance(t);
      s.switch();
      expect(s.details()).toEqual(account(charged, 0, 0, 0));
      expect(s.participant('a')).toMatchObject({
        total_time_ms: 10_000,
        time_remaining_ms: 10_000 - charged,
      });
    });

    it('the flag falls at turn start + D + B, exactly', () => {
      const s = us().start();
      expect(deadlineOf(s.state)).toBe(T0 + 13_000);
      s.advance(12_999);
      expect(s.participant('a').time_remaining_ms).toBe(1);
      s.advance(1);
      expect(s.view()).toMatchObject({
        status: 'expired',
        session_completed_at: new Date(T0 + 13_000).toISOString(),
      });
    });

    it('the next turn begins with a whole delay', () => {
      const s = us().start().advance(500);
      s.switch();
      expect(deadlineOf(s.state)).toBe(T0 + 500 + 3000 + 10_000);
      expect(s.participant('b').delay_remaining_ms).toBe(3000);
    });

    it('a pause freezes the delay; resume continues it', () => {
      const s = us().start().advance(1000);
      s.run({ kind: 'pause' });
      s.advance(60_000);
      expect(s.participant('a')).toMatchObject({
        delay_remaining_ms: 2000,
        time_remaining_ms: 10_000,
      });
      s.run({ kind: 'resume' });
      expect(deadlineOf(s.state)).toBe(T0 + 61_000 + 2000 + 10_000);
      s.advance(2500).switch();
      expect(s.details()).toEqual(account(500, 0, 0, 0));
    });

    it('add-time during the turn raises B and does not restart the delay', () => {
      const s = us().start().advance(1000);
      s.run({ kind: 'add_time', participant_id: 'a', ms: 5000 });
      expect(s.participant('a')).toMatchObject({
        total_time_ms: 15_000,
        time_remaining_ms: 15_000,
        delay_remaining_ms: 2000,
      });
      expect(deadlineOf(s.state)).toBe(T0 + 3000 + 15_000);
    });

    it('time taken that empties the bank flags at once, delay or not', () => {
      const s = us().start().advance(1000);
      s.run({ kind: 'add_time', participant_id: 'a', ms: -10_000 });
      expect(s.last.steps.map((x) => [x.type, x.at])).toEqual([
        ['time_added', T0 + 1000],
        ['session_expired', T0 + 1000],
      ]);
    });
  });

  describe('Bronstein delay', () => {
    const dgt = () =>
      game({ stages: [{ time_ms: 10_000, delay_ms: 3000 }], delay_kind: 'bronstein' });

    it('the bank runs from the turn start and the flag falls at turn start + B', () => {
      const s = dgt().start().advance(2000);
      expect(s.participant('a')).toMatchObject({
        time_remaining_ms: 8000,
        time_used_ms: 2000,
        delay_remaining_ms: 1000,
      });
      expect(deadlineOf(s.state)).toBe(T0 + 10_000);
    });

    it.each([
      [2000, 0, 2000],
      [3000, 0, 3000], // exactly at the end of the delay
      [5000, 2000, 3000],
      [9999, 6999, 3000],
    ])('a move at t = %i charges %i net and gives back %i', (t, charged, refund) => {
      const s = dgt().start().advance(t);
      s.switch();
      expect(s.details()).toEqual(account(charged, refund, 0, 0));
      // Never above B, and on main time used = total - remaining (the net charge).
      expect(s.participant('a')).toMatchObject({
        total_time_ms: 10_000,
        time_remaining_ms: 10_000 - charged,
        time_used_ms: charged,
      });
    });

    it('add-time raises B: the refund still ends the turn at B - max(0, t - D)', () => {
      const s = dgt().start().advance(1000);
      s.run({ kind: 'add_time', participant_id: 'a', ms: 4000 });
      s.advance(1000).switch();
      expect(s.details()).toEqual(account(0, 2000, 0, 0));
      expect(s.participant('a').time_remaining_ms).toBe(14_000);
    });
  });

  describe('Fischer with increment_cap_ms', () => {
    const capped = (time_ms: number, cap: number) =>
      game({ stages: [{ time_ms, increment_ms: 10_000 }], increment_cap_ms: cap });

    it('an increment never lifts the bank above the cap', () => {
      const s = capped(60_000, 65_000).start().advance(1000);
      s.switch();
      expect(s.details()).toEqual(account(1000, 0, 6000, 0));
      expect(s.participant('a')).toMatchObject({
        total_time_ms: 66_000,
        time_remaining_ms: 65_000,
      });
    });

    it('below the cap by more than the increment, the whole increment is added', () => {
      const s = capped(60_000, 90_000).start().advance(1000);
      s.switch();
      expect(s.details()).toEqual(account(1000, 0, 10_000, 0));
    });

    it('a bank above the cap keeps what it has and gains nothing', () => {
      const s = capped(90_000, 60_000).start().advance(1000);
      s.switch();
      expect(s.details()).toEqual(account(1000, 0, 0, 0));
      expect(s.participant('a')).toMatchObject({
        total_time_ms: 90_000,
        time_remaining_ms: 89_000,
      });
    });

    it('the cap limits increments only, not added time', () => {
      const s = capped(60_000, 61_000).start();
      s.run({ kind: 'add_time', participant_id: 'b', ms: 30_000 });
      expect(s.participant('b').time_remaining_ms).toBe(90_000);
    });
  });

  describe('stages by move count', () => {
    // A FIDE-shaped control, scaled: 2 moves in 60 s, then 30 s, +1 s from move 1.
    const fide = () =>
      game({
        stages: [
          { time_ms: 60_000, increment_ms: 1000, moves: 2 },
          { time_ms: 30_000, increment_ms: 500 },
        ],
      });

    it('the move that completes a stage adds the next stage after its increment', () => {
      const s = fide().start();
      const stages: unknown[] = [];
      for (let move = 0; move < 6; move++) {
        s.advance(1000).switch();
        if (s.last.steps[0].participant_id === 'a') stages.push(s.details());
      }
      expect(stages).toEqual([
        account(1000, 0, 1000, 0),
        account(1000, 0, 1000, 30_000), // move 2: the last of stage 0
        account(1000, 0, 500, 0), // move 3 follows stage 1
      ]);
      expect(s.participant('a')).toMatchObject({
        cycle_count: 3,
        stage_index: 1,
        total_time_ms: 60_000 + 1000 + 1000 + 30_000 + 500,
        time_remaining_ms: 60_000 + 2500 + 30_000 - 3000,
      });
    });

    it('stage_index is the stage of the next move', () => {
      const s = fide().start();
      expect(s.participant('a').stage_index).toBe(0);
      s.advance(10).switch(); // a: move 1
      s.advance(10).switch(); // b: move 1
      expect(s.participant('a').stage_index).toBe(0);
      s.advance(10).switch(); // a: move 2, the last of stage 0
      expect(s.participant('a').stage_index).toBe(1);
      expect(s.participant('b').stage_index).toBe(0);
    });

    it('each stage brings its own delay', () => {
      const s = game({
        stages: [
          { time_ms: 60_000, delay_ms: 2000, moves: 1 },
          { time_ms: 0, delay_ms: 5000 },
        ],
        delay_kind: 'simple',
      }).start();
      s.advance(1000).switch(); // a: move 1 (delay 2 s), completes stage 0 (+0 ms)
      expect(s.details()).toEqual(account(0, 0, 0, 0));
      s.advance(1000).switch(); // b
      expect(s.participant('a')).toMatchObject({ stage_index: 1, delay_remaining_ms: 5000 });
      s.advance(6000).switch(); // a: move 2 under a 5 s delay
      expect(s.details()).toEqual(account(1000, 0, 0, 0));
    });
  });

  describe('per participant (time odds)', () => {
    it('Armageddon: each plays its own control, the session has none', () => {
      const s = new FakeSession({
        session_id: 'armageddon',
        sync_mode: 'per_participant',
        participants: [
          { participant_id: 'white', time_control: { stages: [{ time_ms: 300_000 }] } },
          { participant_id: 'black', time_control: { stages: [{ time_ms: 240_000 }] } },
        ],
      }).start();
      const v = s.advance(1000).view();
      expect(v.time_control).toBeNull();
      expect(v.total_time_ms).toBe(540_000);
      expect(
        v.participants.map((p) => [p.total_time_ms, p.time_remaining_ms, p.time_control]),
      ).toEqual([
        [300_000, 299_000, { stages: [{ time_ms: 300_000 }] }],
        [240_000, 240_000, { stages: [{ time_ms: 240_000 }] }],
      ]);
    });

    it("a participant's own control replaces the session's for it alone", () => {
      const s = new FakeSession(
        controlled(
          { stages: [{ time_ms: 60_000, increment_ms: 1000 }] },
          {
            participants: [
              { participant_id: 'a', time_control: { stages: [{ time_ms: 30_000 }] } },
              { participant_id: 'b' },
            ],
          },
        ),
      ).start();
      s.advance(1000).switch();
      expect(s.details()).toEqual(account(1000, 0, 0, 0));
      s.advance(1000).switch();
      expect(s.details()).toEqual(account(1000, 0, 1000, 0));
      expect(s.view().participants.map((p) => p.total_time_ms)).toEqual([30_000, 61_000]);
    });
  });

  it('a plain session shows time_control null and no per-participant control fields', () => {
    const v = FakeSession.of('per_participant').start().view();
    expect(v.time_control).toBeNull();
    expect(Object.keys(v.participants[0])).not.toContain('stage_index');
  });
});
