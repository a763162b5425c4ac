import { FakeSession, T0 } from './clock.fixtures';

const teams = (banks: Record<string, number> = { red: 60_000, blue: 60_000 }, increment_ms = 0) =>
  FakeSession.of('per_group', {
    increment_ms,
    participants: [
      { participant_id: 'r1', group_id: 'red', total_time_ms: banks.red },
      { participant_id: 'b1', group_id: 'blue', total_time_ms: banks.blue },
      { participant_id: 'r2', group_id: 'red', total_time_ms: banks.red },
      { participant_id: 'b2', group_id: 'blue', total_time_ms: banks.blue },
      ...(banks.green
        ? [{ participant_id: 'g1', group_id: 'green', total_time_ms: banks.green }]
        : []),
    ],
  });

describe('per_group (team clocks)', () => {
  it('whoever of the group is active drains the group bank', () => {
    const s = teams().start().advance(5000);
    s.switch(); // r1 -> b1
    s.advance(3000).switch(); // b1 -> r2
    s.advance(2000);
    const v = s.view();
    expect(v.groups).toEqual([
      {
        group_id: 'red',
        total_time_ms: 60_000,
        time_used_ms: 7000,
        time_remaining_ms: 53_000,
        has_expired: false,
        is_active: true,
      },
      {
        group_id: 'blue',
        total_time_ms: 60_000,
        time_used_ms: 3000,
        time_remaining_ms: 57_000,
        has_expired: false,
        is_active: false,
      },
    ]);
    expect(s.participant('r1')).toMatchObject({ time_used_ms: 5000, time_remaining_ms: 53_000 });
    expect(s.participant('r2')).toMatchObject({
      time_used_ms: 2000,
      time_remaining_ms: 53_000,
      is_active: true,
    });
    expect(v.time_remaining_ms).toBe(53_000);
  });

  it('increments go to the group bank', () => {
    const s = teams(undefined, 1000).start().advance(5000);
    s.switch();
    const red = s.view().groups?.[0];
    expect(red).toMatchObject({
      total_time_ms: 61_000,
      time_used_ms: 5000,
      time_remaining_ms: 56_000,
    });
    expect(s.participant('r1').total_time_ms).toBe(60_000);
  });

  it('invariant: a group total is its used plus its remaining', () => {
    const s = teams(undefined, 700).start();
    for (let i = 0; i < 7; i++) s.advance(1000 + i * 37).switch();
    s.advance(123);
    for (const g of s.view().groups ?? [])
      expect(g.total_time_ms).toBe(g.time_used_ms + g.time_remaining_ms);
  });

  it('with two groups, the session expires when one bank empties', () => {
    const s = teams({ red: 10_000, blue: 60_000 }).start().advance(4000);
    s.switch();
    s.advance(1000).switch(); // r2 plays with 6000 left
    s.advance(8000);
    const v = s.view();
    expect(v).toMatchObject({
      status: 'expired',
      session_completed_at: new Date(T0 + 11_000).toISOString(),
    });
    expect(v.groups?.[0]).toMatchObject({
      has_expired: true,
      time_remaining_ms: 0,
      time_used_ms: 10_000,
    });
    expect(v.participants.filter((p) => p.has_expired).map((p) => p.participant_id)).toEqual([
      'r1',
      'r2',
    ]);
    expect(s.run({ kind: 'settle' }).steps.map((x) => x.type)).toEqual(['session_expired']);
    expect(s.run({ kind: 'settle' }).steps).toEqual([]);
  });

  it('with three groups, play passes to the next participant whose group has time', () => {
    const s = teams({ red: 10_000, blue: 60_000, green: 60_000 }).start().advance(12_000);
    const r = s.run({ kind: 'settle' });
    expect(r.steps[0]).toMatchObject({
      type: 'group_expired',
      at: T0 + 10_000,
      participant_id: 'r1',
      group_id: 'red',
      timeouts: [{ kind: 'group', group_id: 'red', participant_id: 'r1', at_ms: T0 + 10_000 }],
    });
    expect(s.state).toMatchObject({ active_participant_id: 'b1', cycle_started_at: T0 + 10_000 });
    s.switch(); // b1 -> b2 (r2 is out with its group)
    expect(s.state.active_participant_id).toBe('b2');
    s.advance(10).switch();
    expect(s.state.active_participant_id).toBe('g1');
  });

  it('a late switch by the member whose group ran out reports it', () => {
    const s = teams({ red: 10_000, blue: 60_000, green: 60_000 }).start().advance(12_000);
    expect(s.switch({ current_participant_id: 'r1' }).expired_participant_id).toBe('r1');
  });
});
