import { FakeSession, T0 } from './clock.fixtures';
import { toView } from './session-view';

describe('toView', () => {
  it('shows instants as ISO strings and live values at server_time_ms', () => {
    const s = FakeSession.of('per_participant', { metadata: { table: 7 } })
      .advance(5)
      .start()
      .advance(1500);
    const v = s.view();
    expect(v).toMatchObject({
      created_at: new Date(T0).toISOString(),
      session_started_at: new Date(T0 + 5).toISOString(),
      cycle_started_at: new Date(T0 + 5).toISOString(),
      session_completed_at: null,
      server_time_ms: T0 + 1505,
      time_elapsed_ms: 1500,
      metadata: { table: 7 },
    });
    expect(v.groups).toBeUndefined();
    expect(v.max_time_ms).toBeUndefined();
    expect(v.participants.map((p) => p.is_active)).toEqual([true, false]);
  });

  it('does not show internal anchors', () => {
    const v = FakeSession.of('per_cycle').view() as unknown as Record<string, unknown>;
    expect(v.elapsed_ms).toBeUndefined();
    expect(v.turn_used_ms).toBeUndefined();
    expect(Object.keys(v)).not.toContain('metadata');
  });

  it('pending sessions show no active clock', () => {
    const v = FakeSession.of('per_participant').view();
    expect(v).toMatchObject({
      active_participant_id: null,
      time_remaining_ms: null,
      time_elapsed_ms: 0,
    });
  });

  it('never shows a live value computed before the anchor as negative', () => {
    const s = FakeSession.of('per_participant').start();
    const v = toView(s.state, T0 - 1000);
    expect(v.time_elapsed_ms).toBe(0);
    expect(v.participants[0].time_used_ms).toBe(0);
  });
});
