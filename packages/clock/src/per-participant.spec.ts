import { DomainError } from './domain-error';
import { FakeSession, T0 } from './clock.fixtures';

const three = (banks: [number, number, number] = [60_000, 60_000, 60_000], increment_ms = 0) =>
  FakeSession.of('per_participant', {
    increment_ms,
    participants: [
      { participant_id: 'a', total_time_ms: banks[0] },
      { participant_id: 'b', total_time_ms: banks[1] },
      { participant_id: 'c', total_time_ms: banks[2] },
    ],
  });

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return 'none';
};

describe('per_participant (chess clock)', () => {
  it('drains only the active bank; total = used + remaining, live', () => {
    const s = FakeSession.of('per_participant').start().advance(1234);
    expect(s.participant('a')).toMatchObject({
      total_time_ms: 60_000,
      time_used_ms: 1234,
      time_remaining_ms: 58_766,
    });
    expect(s.participant('b')).toMatchObject({
      total_time_ms: 60_000,
      time_used_ms: 0,
      time_remaining_ms: 60_000,
    });
    expect(s.view()).toMatchObject({
      time_remaining_ms: 58_766,
      time_elapsed_ms: 1234,
      server_time_ms: T0 + 1234,
    });
  });

  it('a switch charges the mover, adds the increment, and starts the next clock at that instant', () => {
    const s = FakeSession.of('per_participant', { increment_ms: 2000 }).start().advance(5000);
    const r = s.switch();
    expect(r.steps.map((x) => [x.type, x.participant_id, x.details])).toEqual([
      ['cycle_switched', 'a', { next_participant_id: 'b' }],
    ]);
    expect(s.state).toMatchObject({ active_participant_id: 'b', cycle_started_at: T0 + 5000 });
    expect(s.participant('a')).toMatchObject({
      total_time_ms: 62_000,
      time_used_ms: 5000,
      time_remaining_ms: 57_000,
      cycle_count: 1,
      is_active: false,
    });
    expect(s.participant('b')).toMatchObject({ is_active: true, cycle_count: 0 });
    expect(r.expired_participant_id).toBeUndefined();
  });

  it('rotation follows participant_index and wraps around', () => {
    const s = three();
    s.start();
    const order = [s.state.active_participant_id];
    for (let i = 0; i < 4; i++) order.push(s.advance(10).switch().state.active_participant_id);
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('next_participant_id hands the turn to that participant', () => {
    const s = three().start().advance(10);
    s.switch({ next_participant_id: 'c' });
    expect(s.state.active_participant_id).toBe('c');
  });

  it.each([
    ['unknown', 'is not in this session'],
    ['b', 'has no time left'],
  ])('next_participant_id %s is a 400 naming the field', (next, message) => {
    const s = three([60_000, 1000, 60_000]).start().advance(10);
    s.switch({ next_participant_id: 'b' });
    s.advance(1000).run({ kind: 'settle' }); // b runs out; c plays
    s.advance(10);
    let error: DomainError | undefined;
    try {
      s.switch({ next_participant_id: next });
    } catch (e) {
      error = e as DomainError;
    }
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(error?.details).toEqual({
      fields: [{ field: 'next_participant_id', message: expect.stringContaining(message) }],
    });
  });

  describe('running out', () => {
    it('with two players, the session expires at the exact instant the bank empties', () => {
      const s = FakeSession.of('per_participant')
        .start()
        .advance(60_000 + 777);
      const v = s.view();
      expect(v).toMatchObject({
        status: 'expired',
        active_participant_id: null,
        cycle_started_at: null,
        session_completed_at: new Date(T0 + 60_000).toISOString(),
        updated_at: new Date(T0 + 60_000).toISOString(),
        time_elapsed_ms: 60_000,
        time_remaining_ms: null,
      });
      expect(v.participants[0]).toMatchObject({
        has_expired: true,
        time_used_ms: 60_000,
        time_remaining_ms: 0,
      });
      expect(v.participants[1]).toMatchObject({ has_expired: false, time_remaining_ms: 60_000 });
    });

    it('records one step for the expiry, with both timeouts', () => {
      const s = FakeSession.of('per_participant').start().advance(70_000);
      const r = s.run({ kind: 'settle' });
      expect(r.steps).toHaveLength(1);
      expect(r.steps[0]).toMatchObject({
        type: 'session_expired',
        version: 3,
        at: T0 + 60_000,
        participant_id: 'a',
        timeouts: [
          { kind: 'participant', participant_id: 'a', at_ms: T0 + 60_000 },
          { kind: 'session', at_ms: T0 + 60_000 },
        ],
      });
    });

    it('a bank that empties exactly now has run out', () => {
      const s = FakeSession.of('per_participant').start().advance(60_000);
      expect(s.view().status).toBe('expired');
      const before = FakeSession.of('per_participant').start().advance(59_999);
      expect(before.view()).toMatchObject({ status: 'running', time_remaining_ms: 1 });
    });

    it('with three players, the next one with time starts at the instant of expiry', () => {
      const s = three([10_000, 60_000, 60_000])
        .start()
        .advance(10_000 + 2500);
      const v = s.view();
      expect(v).toMatchObject({
        status: 'running',
        active_participant_id: 'b',
        cycle_started_at: new Date(T0 + 10_000).toISOString(),
      });
      expect(v.participants[0]).toMatchObject({
        has_expired: true,
        time_remaining_ms: 0,
        is_active: false,
      });
      expect(v.participants[1]).toMatchObject({
        time_used_ms: 2500,
        time_remaining_ms: 57_500,
        is_active: true,
      });
    });

    it('expiries chain, each at its own instant, skipping expired players in rotation', () => {
      const s = three([10_000, 1000, 60_000]).start().advance(20_000);
      const r = s.run({ kind: 'settle' });
      expect(r.steps.map((x) => [x.type, x.participant_id, x.at])).toEqual([
        ['participant_expired', 'a', T0 + 10_000],
        ['session_expired', 'b', T0 + 11_000],
      ]);
      expect(s.state.session_completed_at).toBe(T0 + 11_000);
    });

    it('rotation skips a player that ran out earlier', () => {
      const s = three([10_000, 60_000, 60_000]).start();
      s.advance(10_000).run({ kind: 'settle' }); // a out; b plays
      s.advance(100).switch(); // b -> c
      s.advance(100).switch(); // c -> b, skipping a
      expect(s.state.active_participant_id).toBe('b');
    });

    it('no increment is given for a turn that ran out', () => {
      const s = three([10_000, 60_000, 60_000], 5000).start().advance(11_000);
      expect(s.participant('a').total_time_ms).toBe(10_000);
    });

    it('a one-player session expires when its only bank empties', () => {
      const s = FakeSession.of('per_participant', {
        participants: [{ participant_id: 'solo', total_time_ms: 3000 }],
      });
      s.start().advance(1000).switch();
      expect(s.state.active_participant_id).toBe('solo');
      s.advance(5000);
      expect(s.view()).toMatchObject({
        status: 'expired',
        session_completed_at: new Date(T0 + 3000).toISOString(),
      });
    });
  });

  describe('a switch that arrives after the mover ran out (expiry during a switch)', () => {
    it('is answered with the expiry: the turn passed at the instant, not twice', () => {
      const s = three([10_000, 60_000, 60_000]).start().advance(12_000);
      const r = s.switch();
      expect(r.expired_participant_id).toBe('a');
      expect(r.steps.map((x) => x.type)).toEqual(['participant_expired']);
      expect(s.state).toMatchObject({ active_participant_id: 'b', cycle_started_at: T0 + 10_000 });
    });

    it('with two players the switch returns the expired session', () => {
      const s = FakeSession.of('per_participant').start().advance(61_000);
      const r = s.switch({ current_participant_id: 'a' });
      expect(r.expired_participant_id).toBe('a');
      expect(s.state).toMatchObject({ status: 'expired', session_completed_at: T0 + 60_000 });
    });

    it('the mover naming itself gets the same answer', () => {
      const s = three([10_000, 60_000, 60_000]).start().advance(12_000);
      const r = s.switch({ current_participant_id: 'a' });
      expect(r.expired_participant_id).toBe('a');
      expect(s.state.active_participant_id).toBe('b');
    });

    it('the new player naming itself ends its own turn', () => {
      const s = three([10_000, 60_000, 60_000]).start().advance(12_000);
      const r = s.switch({ current_participant_id: 'b' });
      expect(r.steps.map((x) => x.type)).toEqual(['participant_expired', 'cycle_switched']);
      expect(r.expired_participant_id).toBe('a');
      expect(s.state).toMatchObject({ active_participant_id: 'c', cycle_started_at: T0 + 12_000 });
      expect(s.participant('b')).toMatchObject({ time_used_ms: 2000, cycle_count: 1 });
    });

    it('a third party is refused, but the expiry found is kept', () => {
      const s = three([10_000, 60_000, 60_000]).start().advance(12_000);
      expect(codeOf(() => s.switch({ current_participant_id: 'c' }))).toBe(
        'NOT_ACTIVE_PARTICIPANT',
      );
      expect(s.last.steps.map((x) => x.type)).toEqual(['participant_expired']);
      expect(s.state.active_participant_id).toBe('b');
    });
  });

  describe('an expiry settled before the switch arrives', () => {
    it('makes the late mover a 409 NOT_ACTIVE_PARTICIPANT', () => {
      const s = three([10_000, 60_000, 60_000]).start().advance(10_000);
      s.run({ kind: 'settle' });
      s.advance(500);
      expect(codeOf(() => s.switch({ current_participant_id: 'a' }))).toBe(
        'NOT_ACTIVE_PARTICIPANT',
      );
    });

    it('and a switch without a claim ends the turn of whoever plays now', () => {
      const s = three([10_000, 60_000, 60_000]).start().advance(10_000);
      s.run({ kind: 'settle' });
      s.advance(500).switch();
      expect(s.state.active_participant_id).toBe('c');
      expect(s.participant('b').time_used_ms).toBe(500);
    });
  });

  describe('guards', () => {
    it('expected_version other than the current one is a 409 CONFLICT with both versions', () => {
      const s = FakeSession.of('per_participant').start().advance(10);
      let error: DomainError | undefined;
      try {
        s.switch({ expected_version: 1 });
      } catch (e) {
        error = e as DomainError;
      }
      expect(error).toMatchObject({
        code: 'CONFLICT',
        details: { expected_version: 1, actual_version: 2 },
      });
    });

    it('the current expected_version applies', () => {
      const s = FakeSession.of('per_participant').start().advance(10);
      expect(s.switch({ expected_version: 2 }).state.version).toBe(3);
    });

    it('current_participant_id that is not active is a 409, so a repeated "I moved" is harmless', () => {
      const s = FakeSession.of('per_participant').start().advance(10);
      s.switch({ current_participant_id: 'a' });
      const state = s.state;
      expect(codeOf(() => s.switch({ current_participant_id: 'a' }))).toBe(
        'NOT_ACTIVE_PARTICIPANT',
      );
      expect(s.state).toBe(state);
    });
  });

  describe('pause across an expiry', () => {
    it('a pause that arrives after the last bank ran out is refused; the expiry stands', () => {
      const s = FakeSession.of('per_participant').start().advance(65_000);
      expect(codeOf(() => s.run({ kind: 'pause' }))).toBe('INVALID_STATE_TRANSITION');
      expect(s.state).toMatchObject({ status: 'expired', session_completed_at: T0 + 60_000 });
    });

    it('with play going on, the pause stops the next player at the pause instant', () => {
      const s = three([10_000, 60_000, 60_000]).start().advance(13_000);
      s.run({ kind: 'pause' });
      expect(s.last.steps.map((x) => x.type)).toEqual(['participant_expired', 'session_paused']);
      s.advance(100_000);
      expect(s.participant('b')).toMatchObject({ time_used_ms: 3000, is_active: true });
      expect(s.view().status).toBe('paused');
    });

    it('a paused bank never runs out, however long the pause', () => {
      const s = FakeSession.of('per_participant').start().advance(59_000);
      s.run({ kind: 'pause' });
      s.advance(10 * 60_000).run({ kind: 'resume' });
      s.advance(999);
      expect(s.view()).toMatchObject({ status: 'running', time_remaining_ms: 1 });
      s.advance(1);
      expect(s.view()).toMatchObject({
        status: 'expired',
        session_completed_at: new Date(T0 + 60_000 + 10 * 60_000).toISOString(),
      });
    });
  });
});
