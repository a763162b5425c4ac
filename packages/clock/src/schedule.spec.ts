import { anchorFromView } from './anchor-from-view';
import { applyCommand } from './apply-command';
import { FakeSession, input, T0 } from './clock.fixtures';
import { DomainError } from './domain-error';
import { MAX_SCHEDULE_AHEAD_MS } from './schedule';
import { toView } from './session-view';
import { settle } from './settle';
import { Transition } from './transition';
import { wakeUpOf } from './wake-up';

const AT = T0 + 5000;

const scheduled = (at = AT) => {
  const s = FakeSession.of('per_participant');
  s.run({ kind: 'start', at_ms: at });
  return s;
};

const refusal = (s: FakeSession, command: Parameters<FakeSession['run']>[0]): DomainError => {
  const before = s.state;
  expect(() => s.run(command)).toThrow(DomainError);
  expect(s.state).toBe(before); // a refusal changes nothing
  return s.last.error as DomainError;
};

const typesOf = (s: FakeSession) => s.last.steps.map((x) => [x.type, x.version, x.at]);

describe('scheduled start (section 9)', () => {
  it('a start with at_ms keeps the session pending, scheduled, in a version of its own', () => {
    const s = scheduled();
    expect(typesOf(s)).toEqual([['session_scheduled', 2, T0]]);
    expect(s.last.steps[0].details).toEqual({ at_ms: AT });
    expect(s.state).toMatchObject({ status: 'pending', scheduled_start_at: AT, version: 2 });
    expect(s.view()).toMatchObject({
      status: 'pending',
      scheduled_start_at: new Date(AT).toISOString(),
      session_started_at: null,
      active_participant_id: null,
    });
  });

  it('starts by itself at exactly at_ms, its clocks anchored there', () => {
    const s = scheduled();
    s.advance(4999);
    expect(s.view()).toMatchObject({ status: 'pending', version: 2 });
    s.advance(1).run({ kind: 'settle' });
    expect(typesOf(s)).toEqual([['session_started', 3, AT]]);
    expect(s.last.steps[0].details).toEqual({ scheduled: true });
    expect(s.state).toMatchObject({
      status: 'running',
      active_participant_id: 'a',
      session_started_at: AT,
      cycle_started_at: AT,
      updated_at: AT,
    });
    expect(s.state.scheduled_start_at).toBeUndefined();
    expect(s.view().scheduled_start_at).toBeNull();
  });

  it('a read long after at_ms sees it running from at_ms, and what ran out since', () => {
    const s = scheduled().advance(5000 + 7000);
    expect(s.view()).toMatchObject({ status: 'running', version: 3, time_elapsed_ms: 7000 });
    expect(s.participant('a').time_remaining_ms).toBe(53_000);
    s.advance(60_000).run({ kind: 'settle' });
    expect(typesOf(s)).toEqual([
      ['session_started', 3, AT],
      ['session_expired', 4, AT + 60_000],
    ]);
    expect(s.state.session_completed_at).toBe(AT + 60_000);
  });

  it('a command at or after at_ms finds it started first', () => {
    const s = scheduled().advance(5000);
    s.run({ kind: 'switch' });
    expect(typesOf(s)).toEqual([
      ['session_started', 3, AT],
      ['cycle_switched', 4, AT],
    ]);
    const late = scheduled().advance(6000);
    expect(() => late.run({ kind: 'start' })).toThrow(/session is running/);
    expect(late.state).toMatchObject({ status: 'running', session_started_at: AT });
  });

  it('a new start with at_ms reschedules, later or earlier', () => {
    const s = scheduled();
    s.advance(1000).run({ kind: 'start', at_ms: T0 + 9000 });
    expect(typesOf(s)).toEqual([['session_scheduled', 3, T0 + 1000]]);
    s.advance(4000);
    expect(s.view()).toMatchObject({ status: 'pending', version: 3 });
    s.run({ kind: 'start', at_ms: T0 + 5500 });
    expect(s.state.scheduled_start_at).toBe(T0 + 5500);
    s.advance(500).run({ kind: 'settle' });
    expect(typesOf(s)).toEqual([['session_started', 5, T0 + 5500]]);
  });

  it('a start without at_ms before the instant overrides it: the clocks start now', () => {
    const s = scheduled().advance(2000).start();
    expect(typesOf(s)).toEqual([['session_started', 3, T0 + 2000]]);
    expect(s.state.scheduled_start_at).toBeUndefined();
    s.advance(3000).run({ kind: 'settle' });
    expect(s.last.steps).toEqual([]);
    expect(s.state.session_started_at).toBe(T0 + 2000);
  });

  it.each(['complete', 'cancel'] as const)('%s before the instant overrides it', (kind) => {
    const s = scheduled().advance(1000);
    s.run({ kind });
    expect(s.state.scheduled_start_at).toBeUndefined();
    s.advance(10_000).run({ kind: 'settle' });
    expect(s.last.steps).toEqual([]);
    expect(s.view()).toMatchObject({
      status: kind === 'complete' ? 'completed' : 'cancelled',
      scheduled_start_at: null,
      session_started_at: null,
    });
  });

  it('at_ms must be strictly in the future and at most 7 days ahead', () => {
    for (const at of [T0, T0 - 1, T0 + MAX_SCHEDULE_AHEAD_MS + 1, T0 + 0.5, Number.NaN]) {
      const s = FakeSession.of('per_participant');
      const error = refusal(s, { kind: 'start', at_ms: at });
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(error.details).toMatchObject({ fields: [{ field: 'at_ms' }] });
    }
    for (const at of [T0 + 1, T0 + MAX_SCHEDULE_AHEAD_MS]) {
      expect(scheduled(at).state.scheduled_start_at).toBe(at);
    }
  });

  it('only a pending session can be scheduled; a scheduled one refuses the running commands', () => {
    const running = FakeSession.of('per_participant').start();
    expect(refusal(running, { kind: 'start', at_ms: T0 + 1000 }).code).toBe(
      'INVALID_STATE_TRANSITION',
    );
    const s = scheduled();
    for (const kind of ['switch', 'pause', 'resume'] as const) {
      expect(refusal(s, { kind }).message).toMatch(/session is pending/);
    }
  });

  it('a start accepted earlier (a bulk start) is anchored at the instant it named', () => {
    const s = FakeSession.of('per_participant').advance(300);
    s.run({ kind: 'start', at_ms: T0 + 100, accepted_at: T0 });
    expect(typesOf(s)).toEqual([['session_started', 2, T0 + 100]]);
    expect(s.participant('a').time_remaining_ms).toBe(59_800);

    const now = FakeSession.of('per_participant').advance(300);
    now.run({ kind: 'start', accepted_at: T0 + 50 });
    expect(now.state).toMatchObject({ session_started_at: T0 + 50, cycle_started_at: T0 + 50 });

    // Never before a change already recorded, never older than a minute, never after now.
    const edited = FakeSession.of('per_participant').advance(200);
    edited.run({ kind: 'add_time', participant_id: 'a', ms: 1000 });
    edited.advance(100).run({ kind: 'start', accepted_at: T0 });
    expect(edited.state.session_started_at).toBe(T0 + 200);
    const old = FakeSession.of('per_participant').advance(120_000);
    old.run({ kind: 'start', accepted_at: T0 });
    expect(old.state.session_started_at).toBe(T0 + 60_000);
    const ahead = FakeSession.of('per_participant');
    ahead.run({ kind: 'start', accepted_at: T0 + 500 });
    expect(ahead.state.session_started_at).toBe(T0);
  });

  it('a start made at a past instant settles what ran out since', () => {
    const banks = ['a', 'b'].map((participant_id) => ({ participant_id, total_time_ms: 1000 }));
    const s = new FakeSession(input('per_participant', { participants: banks })).advance(1500);
    s.run({ kind: 'start', at_ms: T0 + 100, accepted_at: T0 });
    expect(typesOf(s)).toEqual([
      ['session_started', 2, T0 + 100],
      ['session_expired', 3, T0 + 1100],
    ]);
  });

  it('the wake-up instant of a scheduled session is its start, then its flag', () => {
    const s = scheduled();
    expect(wakeUpOf(s.state)).toBe(AT);
    s.advance(5000).run({ kind: 'settle' });
    expect(wakeUpOf(s.state)).toBe(AT + 60_000);
    expect(wakeUpOf(scheduled().advance(1000).start().state)).toBe(T0 + 61_000);
    expect(wakeUpOf(FakeSession.of('per_participant').state)).toBeNull();
  });

  it('a view of a scheduled session, rebuilt by a client, starts at the same instant', () => {
    const s = scheduled();
    const view = toView(s.state, T0 + 10);
    const t = new Transition(anchorFromView(view));
    settle(t, AT + 2500);
    expect(toView(t.state, AT + 2500)).toMatchObject({
      status: 'running',
      session_started_at: new Date(AT).toISOString(),
      time_elapsed_ms: 2500,
    });
    expect(applyCommand(anchorFromView(view), { kind: 'settle' }, AT - 1).steps).toEqual([]);
  });
});
