import { DomainError } from './domain-error';
import { FakeSession, T0 } from './clock.fixtures';
import { Command, SYNC_MODES } from './clock.types';

const refusal = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('lifecycle', () => {
  it('start runs the first participant in rotation from that instant', () => {
    const s = FakeSession.of('per_participant').advance(250).start();
    expect(s.last.steps.map((x) => [x.type, x.version, x.at])).toEqual([
      ['session_started', 2, T0 + 250],
    ]);
    expect(s.state).toMatchObject({
      status: 'running',
      version: 2,
      active_participant_id: 'a',
      cycle_started_at: T0 + 250,
      session_started_at: T0 + 250,
      updated_at: T0 + 250,
    });
  });

  it('start picks the lowest participant_index, not the first in the request', () => {
    const s = FakeSession.of('per_participant', {
      participants: [
        { participant_id: 'late', participant_index: 7, total_time_ms: 5000 },
        { participant_id: 'early', participant_index: 3, total_time_ms: 5000 },
      ],
    }).start();
    expect(s.state.active_participant_id).toBe('early');
  });

  it('pause charges the running time and freezes every clock', () => {
    const s = FakeSession.of('per_participant').start().advance(5000);
    s.run({ kind: 'pause' });
    expect(s.state).toMatchObject({ status: 'paused', cycle_started_at: null, version: 3 });
    expect(s.participant('a')).toMatchObject({
      time_used_ms: 5000,
      time_remaining_ms: 55_000,
      is_active: true,
    });
    s.advance(60_000);
    expect(s.participant('a')).toMatchObject({ time_used_ms: 5000, time_remaining_ms: 55_000 });
    expect(s.view()).toMatchObject({ time_elapsed_ms: 5000, time_remaining_ms: 55_000 });
  });

  it('resume restarts the clock from that instant where it stopped', () => {
    const s = FakeSession.of('per_participant').start().advance(5000);
    s.run({ kind: 'pause' });
    s.advance(30_000).run({ kind: 'resume' });
    expect(s.state).toMatchObject({ status: 'running', cycle_started_at: T0 + 35_000, version: 4 });
    s.advance(1000);
    expect(s.participant('a')).toMatchObject({ time_used_ms: 6000, time_remaining_ms: 54_000 });
    expect(s.view().time_elapsed_ms).toBe(6000);
  });

  it.each(['complete', 'cancel'] as const)(
    '%s from running charges time and ends at that instant',
    (kind) => {
      const s = FakeSession.of('per_participant').start().advance(4000);
      s.run({ kind });
      expect(s.state).toMatchObject({
        status: kind === 'complete' ? 'completed' : 'cancelled',
        session_completed_at: T0 + 4000,
        active_participant_id: null,
        cycle_started_at: null,
      });
      expect(s.last.steps[0].type).toBe(
        kind === 'complete' ? 'session_completed' : 'session_cancelled',
      );
      expect(s.participant('a')).toMatchObject({ time_used_ms: 4000, is_active: false });
    },
  );

  it.each(['complete', 'cancel'] as const)('%s is allowed from pending and paused', (kind) => {
    const pending = FakeSession.of('global');
    pending.run({ kind });
    expect(pending.state.session_started_at).toBeNull();
    const paused = FakeSession.of('global').start().advance(10);
    paused.run({ kind: 'pause' });
    paused.advance(10).run({ kind });
    expect(paused.view().time_elapsed_ms).toBe(10);
  });

  const everyCommand: Command[] = [
    { kind: 'start' },
    { kind: 'pause' },
    { kind: 'resume' },
    { kind: 'complete' },
    { kind: 'cancel' },
    { kind: 'switch' },
    { kind: 'add_time', participant_id: 'a', ms: 1000 },
  ];

  describe.each(['completed', 'cancelled', 'expired'] as const)('a %s session', (status) => {
    const finished = () => {
      const s = FakeSession.of('per_participant').start();
      if (status === 'completed') s.run({ kind: 'complete' });
      if (status === 'cancelled') s.run({ kind: 'cancel' });
      if (status === 'expired') s.advance(60_000).run({ kind: 'settle' });
      expect(s.state.status).toBe(status);
      return s;
    };

    it.each(everyCommand.map((c) => [c.kind, c]))(
      'refuses %s, naming the status',
      (_kind, command) => {
        const s = finished();
        const error = refusal(() => s.run(command));
        expect(error.code).toBe('INVALID_STATE_TRANSITION');
        expect(error.message).toContain(`session is ${status}`);
        expect(s.last.steps).toEqual([]);
      },
    );
  });

  it.each([
    ['pending', { kind: 'pause' }],
    ['pending', { kind: 'resume' }],
    ['pending', { kind: 'switch' }],
    ['running', { kind: 'start' }],
    ['running', { kind: 'resume' }],
    ['paused', { kind: 'start' }],
    ['paused', { kind: 'pause' }],
    ['paused', { kind: 'switch' }],
  ] as const)('a %s session refuses %o', (status, command) => {
    const s = FakeSession.of('per_cycle');
    if (status !== 'pending') s.start();
    if (status === 'paused') s.run({ kind: 'pause' });
    const error = refusal(() => s.run(command));
    expect(error).toMatchObject({ code: 'INVALID_STATE_TRANSITION' });
    expect(error.message).toContain(`session is ${status}`);
  });

  it.each(SYNC_MODES)('%s: every change is one version, in order', (mode) => {
    const s = FakeSession.of(mode).start();
    s.advance(100).switch();
    s.advance(100).run({ kind: 'pause' });
    s.advance(100).run({ kind: 'resume' });
    s.advance(100).run({ kind: 'complete' });
    expect(s.state.version).toBe(6);
    expect(s.state.updated_at).toBe(T0 + 400);
  });

  it('a settle with nothing due changes nothing and returns the same state', () => {
    const s = FakeSession.of('per_participant').start().advance(1000);
    const before = s.state;
    const result = s.run({ kind: 'settle' });
    expect(result.steps).toEqual([]);
    expect(result.state).toBe(before);
  });

  it('a refused command leaves the input state untouched', () => {
    const s = FakeSession.of('per_participant');
    const before = JSON.stringify(s.state);
    refusal(() => s.run({ kind: 'pause' }));
    expect(JSON.stringify(s.state)).toBe(before);
  });
});
