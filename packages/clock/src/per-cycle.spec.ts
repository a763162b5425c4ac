import { DomainError } from './domain-error';
import { FakeSession, T0 } from './clock.fixtures';
import { MAX_TIMEOUT_STEPS } from './settle';

const poker = (auto_advance = true, n = 3, max_idle_rounds?: number) =>
  FakeSession.of('per_cycle', {
    auto_advance,
    max_idle_rounds,
    time_per_cycle_ms: 30_000,
    participants: Array.from({ length: n }, (_, i) => ({ participant_id: `p${i}` })),
  });

describe('per_cycle (turn timer)', () => {
  it('every turn gets a fresh budget; the active one shows what is left of it', () => {
    const s = poker().start().advance(12_000);
    expect(s.view()).toMatchObject({ time_remaining_ms: 18_000, time_per_cycle_ms: 30_000 });
    expect(s.participant('p0')).toMatchObject({
      time_remaining_ms: 18_000,
      time_used_ms: 12_000,
      is_active: true,
    });
    expect(s.participant('p1')).toMatchObject({ time_remaining_ms: 30_000, time_used_ms: 0 });
    s.switch();
    expect(s.participant('p1')).toMatchObject({ time_remaining_ms: 30_000, is_active: true });
    s.advance(29_000);
    expect(s.view().time_remaining_ms).toBe(1000);
  });

  it('ignores increment_ms: there are no banks', () => {
    const s = FakeSession.of('per_cycle', { increment_ms: 5000 }).start().advance(1000);
    s.switch();
    expect(s.participant('a').total_time_ms).toBe(600_000);
    expect(s.advance(1000).view().time_remaining_ms).toBe(29_000);
  });

  it('with auto_advance a timed-out turn passes on at the exact instant and play goes on', () => {
    const s = poker().start().advance(31_500);
    const r = s.run({ kind: 'settle' });
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]).toMatchObject({
      type: 'cycle_timeout',
      at: T0 + 30_000,
      participant_id: 'p0',
      timeouts: [{ kind: 'cycle', participant_id: 'p0', at_ms: T0 + 30_000 }],
    });
    expect(s.view()).toMatchObject({
      status: 'running',
      active_participant_id: 'p1',
      cycle_started_at: new Date(T0 + 30_000).toISOString(),
      time_remaining_ms: 28_500,
    });
    expect(s.participant('p0')).toMatchObject({
      has_expired: false,
      cycle_count: 0,
      time_used_ms: 30_000,
    });
  });

  it('several turns that timed out are each settled at their own instant', () => {
    const s = poker().start().advance(95_000);
    const r = s.run({ kind: 'settle' });
    expect(r.steps.map((x) => [x.participant_id, x.at])).toEqual([
      ['p0', T0 + 30_000],
      ['p1', T0 + 60_000],
      ['p2', T0 + 90_000],
    ]);
    expect(s.state).toMatchObject({ active_participant_id: 'p0', cycle_started_at: T0 + 90_000 });
  });

  it('without auto_advance the session expires when a turn times out', () => {
    const s = poker(false).start().advance(10_000);
    s.switch();
    s.advance(45_000);
    const v = s.view();
    expect(v).toMatchObject({
      status: 'expired',
      session_completed_at: new Date(T0 + 40_000).toISOString(),
      active_participant_id: null,
    });
    expect(v.participants[1]).toMatchObject({ has_expired: true, time_used_ms: 30_000 });
    expect(v.participants[0].has_expired).toBe(false);
  });

  it('without auto_advance a late switch reports who ran out', () => {
    const s = poker(false).start().advance(31_000);
    const r = s.switch({ current_participant_id: 'p0' });
    expect(r.expired_participant_id).toBe('p0');
    expect(r.steps.map((x) => [x.type, x.at])).toEqual([['session_expired', T0 + 30_000]]);
    expect(r.steps[0].timeouts.map((x) => x.kind)).toEqual(['cycle', 'session']);
  });

  it('a late switch after an auto-advanced timeout is absorbed: the next turn keeps its start', () => {
    const s = poker().start().advance(30_400);
    const r = s.switch({ current_participant_id: 'p0' });
    expect(r.expired_participant_id).toBeUndefined();
    expect(s.state).toMatchObject({ active_participant_id: 'p1', cycle_started_at: T0 + 30_000 });
  });

  it('a pause keeps what was used of the turn; resume continues it', () => {
    const s = poker().start().advance(20_000);
    s.run({ kind: 'pause' });
    s.advance(120_000);
    expect(s.view()).toMatchObject({ status: 'paused', time_remaining_ms: 10_000 });
    s.run({ kind: 'resume' });
    s.advance(9999);
    expect(s.view()).toMatchObject({ active_participant_id: 'p0', time_remaining_ms: 1 });
    s.advance(1);
    expect(s.view()).toMatchObject({
      active_participant_id: 'p1',
      time_remaining_ms: 30_000,
      cycle_started_at: new Date(T0 + 150_000).toISOString(),
    });
  });

  it('fast-forwards a long silence in a bounded number of steps, with the same outcome', () => {
    // 3,000 time-outs in a row would end it (nobody plays): stop short of that.
    const s = poker(true, 3, 1000).start();
    const turns = 2_999;
    s.advance(turns * 30_000 + 1234);
    const r = s.run({ kind: 'settle' });
    expect(r.steps.length).toBeLessThanOrEqual(MAX_TIMEOUT_STEPS + 1);
    expect(r.steps.at(-1)?.details).toEqual({ skipped_cycles: turns - MAX_TIMEOUT_STEPS });
    expect(s.view()).toMatchObject({
      active_participant_id: `p${turns % 3}`,
      cycle_started_at: new Date(T0 + turns * 30_000).toISOString(),
      time_remaining_ms: 30_000 - 1234,
      time_elapsed_ms: turns * 30_000 + 1234,
    });
    const used = s.view().participants.map((p) => p.time_used_ms);
    expect(used.reduce((a, b) => a + b, 0)).toBe(turns * 30_000 + 1234);
    expect(s.state.version).toBe(2 + r.steps.length);
  });

  it('a switch naming a waiting participant is refused', () => {
    const s = poker().start().advance(1000);
    expect(() => s.switch({ current_participant_id: 'p2' })).toThrow(DomainError);
  });
});
