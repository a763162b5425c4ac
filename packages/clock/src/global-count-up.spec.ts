import { FakeSession, T0 } from './clock.fixtures';

describe('global (one countdown)', () => {
  it('runs down while the session runs; switches only move the turn marker', () => {
    const s = FakeSession.of('global', { total_time_ms: 60_000 }).start().advance(10_000);
    s.switch();
    s.advance(5000);
    const v = s.view();
    expect(v).toMatchObject({
      time_remaining_ms: 45_000,
      time_elapsed_ms: 15_000,
      active_participant_id: 'b',
    });
    expect(v.participants.map((p) => [p.time_used_ms, p.time_remaining_ms])).toEqual([
      [10_000, 45_000],
      [5000, 45_000],
    ]);
  });

  it('shows the whole budget before it starts, and stops while paused', () => {
    const s = FakeSession.of('global', { total_time_ms: 60_000 });
    expect(s.view().time_remaining_ms).toBe(60_000);
    s.start().advance(1000).run({ kind: 'pause' });
    s.advance(500_000);
    expect(s.view().time_remaining_ms).toBe(59_000);
  });

  it('expires at exactly its total, whoever is active', () => {
    const s = FakeSession.of('global', { total_time_ms: 60_000 }).start().advance(59_000);
    s.switch();
    const r = s.advance(5000).run({ kind: 'settle' });
    expect(r.steps).toEqual([
      expect.objectContaining({
        type: 'session_expired',
        at: T0 + 60_000,
        participant_id: 'b',
        timeouts: [{ kind: 'session', at_ms: T0 + 60_000 }],
      }),
    ]);
    expect(s.view()).toMatchObject({
      status: 'expired',
      time_remaining_ms: 0,
      time_elapsed_ms: 60_000,
    });
  });

  it('a quiz with one participant works the same', () => {
    const s = FakeSession.of('global', {
      total_time_ms: 1000,
      participants: [{ participant_id: 'q' }],
    });
    s.start().advance(1000);
    expect(s.view().status).toBe('expired');
  });
});

describe('count_up (stopwatch)', () => {
  it('counts up from zero while running; nothing runs down without a cap', () => {
    const s = FakeSession.of('count_up').start().advance(90_000);
    const v = s.view();
    expect(v).toMatchObject({
      time_elapsed_ms: 90_000,
      time_remaining_ms: null,
      status: 'running',
    });
    expect(v.max_time_ms).toBeUndefined();
    expect(v.participants[0]).toMatchObject({ time_used_ms: 90_000, time_remaining_ms: null });
    s.advance(10 * 86_400_000);
    expect(s.view().status).toBe('running');
  });

  it('each participant counts up while active', () => {
    const s = FakeSession.of('count_up').start().advance(3000);
    s.switch();
    s.advance(2000);
    expect(s.view().participants.map((p) => p.time_used_ms)).toEqual([3000, 2000]);
  });

  it('with max_time_ms, expires exactly at the cap', () => {
    const s = FakeSession.of('count_up', { max_time_ms: 5000 }).start().advance(2000);
    s.run({ kind: 'pause' });
    s.advance(10_000).run({ kind: 'resume' });
    expect(s.view()).toMatchObject({ time_remaining_ms: 3000, max_time_ms: 5000 });
    s.advance(4000);
    expect(s.view()).toMatchObject({
      status: 'expired',
      time_elapsed_ms: 5000,
      session_completed_at: new Date(T0 + 15_000).toISOString(),
    });
  });
});
