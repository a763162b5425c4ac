import { FakeSession, T0 } from './clock.fixtures';

const table = (n: number, max_idle_rounds?: number, time_per_cycle_ms = 1000) =>
  FakeSession.of('per_cycle', {
    max_idle_rounds,
    time_per_cycle_ms,
    participants: Array.from({ length: n }, (_, i) => ({ participant_id: `p${i}` })),
  });

describe('max_idle_rounds (per_cycle with auto_advance)', () => {
  it('every turn timing out in a row, 3 rounds (the default), ends the session as expired', () => {
    const s = table(2).start().advance(10_000);
    const r = s.run({ kind: 'settle' });
    expect(r.steps.map((x) => [x.type, x.at])).toEqual([
      ['cycle_timeout', T0 + 1000],
      ['cycle_timeout', T0 + 2000],
      ['cycle_timeout', T0 + 3000],
      ['cycle_timeout', T0 + 4000],
      ['cycle_timeout', T0 + 5000],
      ['session_expired', T0 + 6000],
    ]);
    expect(r.steps.at(-1)).toMatchObject({
      participant_id: 'p1',
      details: { reason: 'max_idle_rounds', max_idle_rounds: 3, consecutive_timeouts: 6 },
      timeouts: [
        { kind: 'cycle', participant_id: 'p1', at_ms: T0 + 6000 },
        { kind: 'session', at_ms: T0 + 6000 },
      ],
    });
    expect(s.view()).toMatchObject({
      status: 'expired',
      session_completed_at: new Date(T0 + 6000).toISOString(),
      active_participant_id: null,
      max_idle_rounds: 3,
      consecutive_timeouts: 6,
      time_elapsed_ms: 6000,
    });
    expect(s.view().participants.map((p) => p.has_expired)).toEqual([false, false]);
  });

  it('one ms before the last time-out it still runs', () => {
    const s = table(3, 1).start().advance(2999);
    expect(s.view()).toMatchObject({ status: 'running', consecutive_timeouts: 2 });
    s.advance(1);
    expect(s.view()).toMatchObject({ status: 'expired', consecutive_timeouts: 3 });
  });

  it('a switch starts the count again', () => {
    const s = table(2, 1).start().advance(1500); // p0 timed out, p1 plays
    s.switch({ current_participant_id: 'p1' });
    expect(s.view().consecutive_timeouts).toBe(0);
    s.advance(1999);
    expect(s.view()).toMatchObject({ status: 'running', consecutive_timeouts: 1 });
    s.advance(1);
    expect(s.view()).toMatchObject({
      status: 'expired',
      session_completed_at: new Date(T0 + 1500 + 2000).toISOString(),
    });
  });

  it('a pause keeps the count; the turn goes on after resume', () => {
    const s = table(2, 1).start().advance(1000);
    s.run({ kind: 'pause' });
    s.advance(60_000).run({ kind: 'resume' });
    expect(s.view()).toMatchObject({ status: 'running', consecutive_timeouts: 1 });
    s.advance(1000);
    expect(s.view().status).toBe('expired');
  });

  it('without auto_advance the first time-out ends it, as before', () => {
    const s = FakeSession.of('per_cycle', { auto_advance: false, time_per_cycle_ms: 1000 })
      .start()
      .advance(5000);
    expect(s.view()).toMatchObject({ status: 'expired', consecutive_timeouts: 0 });
  });

  it('is computed, not walked: 1,000 participants, 1,000 rounds, a 1 s turn, a year later', () => {
    const s = table(1000, 1000)
      .start()
      .advance(365 * 86_400_000);
    const r = s.run({ kind: 'settle' });
    expect(r.steps.length).toBe(65);
    expect(r.steps.at(-1)).toMatchObject({
      type: 'session_expired',
      at: T0 + 1_000_000 * 1000,
      details: { skipped_cycles: 1_000_000 - 64, consecutive_timeouts: 1_000_000 },
    });
    const v = s.view();
    expect(v.time_elapsed_ms).toBe(1_000_000 * 1000);
    // Every participant had its 1,000 turns, each charged its whole budget.
    expect(new Set(v.participants.map((p) => p.time_used_ms))).toEqual(new Set([1_000_000]));
  });

  it('fast-forwarding short of the limit lands on the right turn at the right instant', () => {
    const s = table(7, 1000, 1000).start().advance(500); // 7,000 in a row would end it
    s.switch(); // p1 plays, the count starts at 0
    s.advance(5000 * 1000 + 250);
    const r = s.run({ kind: 'settle' });
    expect(r.steps.at(-1)?.details).toEqual({ skipped_cycles: 5000 - 64 });
    expect(s.view()).toMatchObject({
      status: 'running',
      active_participant_id: `p${(1 + 5000) % 7}`,
      cycle_started_at: new Date(T0 + 500 + 5000 * 1000).toISOString(),
      time_remaining_ms: 750,
      consecutive_timeouts: 5000,
      time_elapsed_ms: 500 + 5000 * 1000 + 250,
    });
    const used = s.view().participants.reduce((sum, p) => sum + p.time_used_ms, 0);
    expect(used).toBe(500 + 5000 * 1000 + 250);
  });
});
