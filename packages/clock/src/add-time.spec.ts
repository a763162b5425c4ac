import { DomainError } from './domain-error';
import { FakeSession, T0 } from './clock.fixtures';
import { AddTimeCommand } from './clock.types';

const add = (s: FakeSession, cmd: Omit<AddTimeCommand, 'kind'>) =>
  s.run({ kind: 'add_time', ...cmd });

const errorOf = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected an error');
};

describe('add time', () => {
  describe('per_participant', () => {
    it('gives a waiting participant more bank', () => {
      const s = FakeSession.of('per_participant').start().advance(1000);
      const r = add(s, { participant_id: 'b', ms: 30_000 });
      expect(r.steps[0]).toMatchObject({
        type: 'time_added',
        participant_id: 'b',
        at: T0 + 1000,
        details: { requested_ms: 30_000, applied_ms: 30_000 },
      });
      expect(s.participant('b')).toMatchObject({
        total_time_ms: 90_000,
        time_remaining_ms: 90_000,
      });
    });

    it('gives the active participant more, which moves its deadline', () => {
      const s = FakeSession.of('per_participant').start().advance(50_000);
      add(s, { participant_id: 'a', ms: 20_000 });
      expect(s.state.cycle_started_at).toBe(T0 + 50_000);
      s.advance(25_000);
      expect(s.view()).toMatchObject({ status: 'running', time_remaining_ms: 5000 });
      expect(s.participant('a')).toMatchObject({ total_time_ms: 80_000, time_used_ms: 75_000 });
    });

    it('takes time away, never below zero: a bank taken to zero runs out now', () => {
      const s = FakeSession.of('per_participant').start().advance(50_000);
      const r = add(s, { participant_id: 'a', ms: -90_000 });
      expect(r.steps.map((x) => [x.type, x.at])).toEqual([
        ['time_added', T0 + 50_000],
        ['session_expired', T0 + 50_000],
      ]);
      expect(r.steps[0].details).toEqual({ requested_ms: -90_000, applied_ms: -10_000 });
      expect(s.participant('a')).toMatchObject({
        total_time_ms: 50_000,
        time_remaining_ms: 0,
        has_expired: true,
      });
    });

    it('taking a waiting bank to zero makes it run out, and play goes on without it', () => {
      const s = FakeSession.of('per_participant', {
        participants: ['a', 'b', 'c'].map((id) => ({ participant_id: id, total_time_ms: 60_000 })),
      }).start();
      add(s, { participant_id: 'b', ms: -60_000 });
      expect(s.last.steps.map((x) => x.type)).toEqual(['time_added', 'participant_expired']);
      s.advance(10).switch();
      expect(s.state.active_participant_id).toBe('c');
    });

    it('brings a participant that ran out back into the rotation', () => {
      const s = FakeSession.of('per_participant', {
        participants: ['a', 'b', 'c'].map((id) => ({ participant_id: id, total_time_ms: 60_000 })),
      }).start();
      add(s, { participant_id: 'b', ms: -60_000 });
      add(s, { participant_id: 'b', ms: 5000 });
      expect(s.participant('b')).toMatchObject({ has_expired: false, time_remaining_ms: 5000 });
      s.advance(10).switch();
      expect(s.state.active_participant_id).toBe('b');
    });

    it.each([
      [{ ms: 1000 }, 'participant_id'],
      [{ participant_id: 'zz', ms: 1000 }, 'participant_id'],
      [{ participant_id: 'a', group_id: 'g', ms: 1000 }, 'group_id'],
    ])('refuses %o naming %s', (cmd, field) => {
      const s = FakeSession.of('per_participant').start();
      const e = errorOf(() => add(s, cmd));
      expect(e.code).toBe('VALIDATION_ERROR');
      expect(e.details).toEqual({ fields: [expect.objectContaining({ field })] });
    });

    it('a refused add-time leaves the settled state exactly as it was', () => {
      const s = FakeSession.of('per_participant', {
        participants: ['a', 'b', 'c'].map((id) => ({ participant_id: id, total_time_ms: 1000 })),
      }).start();
      s.advance(1001);
      const settled = FakeSession.of('per_participant', {
        participants: ['a', 'b', 'c'].map((id) => ({ participant_id: id, total_time_ms: 1000 })),
      }).start();
      settled.advance(1001).run({ kind: 'settle' });
      expect(() => add(s, { participant_id: 'nobody', ms: -1 })).toThrow(DomainError);
      expect(s.last.steps.map((x) => x.type)).toEqual(['participant_expired']);
      expect(s.state).toEqual(settled.state);
    });

    it('works before the start and while paused', () => {
      const s = FakeSession.of('per_participant');
      add(s, { participant_id: 'a', ms: 1000 });
      s.start().advance(10).run({ kind: 'pause' });
      add(s, { participant_id: 'a', ms: 1000 });
      expect(s.participant('a')).toMatchObject({
        total_time_ms: 62_000,
        time_remaining_ms: 61_990,
      });
    });
  });

  describe('per_group', () => {
    const teams = () =>
      FakeSession.of('per_group', {
        participants: [
          { participant_id: 'r1', group_id: 'red', total_time_ms: 60_000 },
          { participant_id: 'b1', group_id: 'blue', total_time_ms: 60_000 },
          { participant_id: 'g1', group_id: 'green', total_time_ms: 60_000 },
        ],
      }).start();

    it('adds to the group bank by group_id or by a member', () => {
      const s = teams();
      add(s, { group_id: 'blue', ms: 1000 });
      add(s, { participant_id: 'b1', ms: 1000 });
      expect(s.view().groups?.[1]).toMatchObject({
        total_time_ms: 62_000,
        time_remaining_ms: 62_000,
      });
      expect(s.last.steps[0]).toMatchObject({ group_id: 'blue', participant_id: 'b1' });
    });

    it('a group taken to zero runs out; the active group passes the turn', () => {
      const s = teams().advance(1000);
      add(s, { group_id: 'red', ms: -100_000 });
      expect(s.last.steps.map((x) => x.type)).toEqual(['time_added', 'group_expired']);
      expect(s.state.active_participant_id).toBe('b1');
      add(s, { group_id: 'red', ms: 5000 });
      expect(s.view().groups?.[0]).toMatchObject({ has_expired: false, time_remaining_ms: 5000 });
      expect(s.participant('r1').has_expired).toBe(false);
    });

    it.each([
      [{ ms: 1000 }, 'group_id'],
      [{ group_id: 'nope', ms: 1000 }, 'group_id'],
      [{ group_id: 'red', participant_id: 'r1', ms: 1000 }, 'group_id'],
    ])('refuses %o', (cmd, field) => {
      expect(errorOf(() => add(teams(), cmd)).details).toEqual({
        fields: [expect.objectContaining({ field })],
      });
    });
  });

  describe('per_cycle', () => {
    it('extends or shortens the active turn', () => {
      const s = FakeSession.of('per_cycle').start().advance(10_000);
      add(s, { ms: 5000 });
      expect(s.view().time_remaining_ms).toBe(25_000);
      add(s, { participant_id: 'a', ms: -100_000 });
      expect(s.last.steps.map((x) => x.type)).toEqual(['time_added', 'cycle_timeout']);
      expect(s.view()).toMatchObject({ active_participant_id: 'b', time_remaining_ms: 30_000 });
    });

    it('refuses a waiting participant, a group, and a session not started', () => {
      const s = FakeSession.of('per_cycle');
      expect(errorOf(() => add(s, { ms: 1000 })).code).toBe('INVALID_STATE_TRANSITION');
      s.start();
      expect(errorOf(() => add(s, { participant_id: 'b', ms: 1000 })).code).toBe(
        'VALIDATION_ERROR',
      );
      expect(errorOf(() => add(s, { group_id: 'x', ms: 1000 })).code).toBe('VALIDATION_ERROR');
    });
  });

  describe('global and count_up', () => {
    it('global: gives everybody more time, or ends the exam now', () => {
      const s = FakeSession.of('global', { total_time_ms: 60_000 }).start().advance(50_000);
      add(s, { ms: 600_000 });
      expect(s.view()).toMatchObject({ total_time_ms: 660_000, time_remaining_ms: 610_000 });
      add(s, { ms: -10_000_000 });
      expect(s.view()).toMatchObject({
        status: 'expired',
        total_time_ms: 50_000,
        time_remaining_ms: 0,
      });
      expect(s.state.session_completed_at).toBe(T0 + 50_000);
    });

    it('count_up: moves the cap, and needs one', () => {
      const s = FakeSession.of('count_up', { max_time_ms: 10_000 }).start().advance(9000);
      add(s, { ms: 5000 });
      expect(s.view()).toMatchObject({ max_time_ms: 15_000, time_remaining_ms: 6000 });
      expect(errorOf(() => add(FakeSession.of('count_up').start(), { ms: 1000 })).code).toBe(
        'VALIDATION_ERROR',
      );
    });

    it.each(['global', 'count_up'] as const)('%s refuses a participant or group target', (mode) => {
      const s = FakeSession.of(mode, { max_time_ms: 10_000 }).start();
      expect(errorOf(() => add(s, { participant_id: 'a', ms: 1000 })).code).toBe(
        'VALIDATION_ERROR',
      );
      expect(errorOf(() => add(s, { group_id: 'a', ms: 1000 })).code).toBe('VALIDATION_ERROR');
    });
  });
});
