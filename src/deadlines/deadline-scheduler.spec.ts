import { Logger } from '@nestjs/common';
import { applyCommand, ClockState, createSession, deadlineOf } from '@synckairos/clock';
import { Counter } from 'prom-client';
import { SessionChange } from '../state/session-change';
import { TimeSource } from '../common/time/time-source';
import { DeadlineScheduler } from './deadline-scheduler';
import { DeadlineStore } from './deadline-store';
import { DeadlineTimers } from './deadline-timers';

const T0 = 1_800_000_000_000;

function states() {
  const created = createSession(
    {
      session_id: 'game-1',
      sync_mode: 'per_participant',
      participants: [
        { participant_id: 'a', total_time_ms: 60_000 },
        { participant_id: 'b', total_time_ms: 30_000 },
      ],
    },
    T0,
  ).state;
  const started = applyCommand(created, { kind: 'start' }, T0 + 10).state;
  const switched = applyCommand(started, { kind: 'switch' }, T0 + 1000).state;
  const paused = applyCommand(switched, { kind: 'pause' }, T0 + 2000).state;
  return { created, started, switched, paused };
}

const change = (before: ClockState | null, after: ClockState, extra: Partial<SessionChange> = {}) =>
  ({ sessionId: after.session_id, before, after, steps: [], ...extra }) as unknown as SessionChange;

describe('DeadlineScheduler', () => {
  const arm = jest.fn<Promise<void>, [string, number, number | null]>();
  const remove = jest.fn<Promise<void>, [string]>();
  const inc = jest.fn();
  const timers = new DeadlineTimers({ now: () => Date.now() } as TimeSource);
  const scheduler = new DeadlineScheduler(
    timers,
    { arm, remove } as unknown as DeadlineStore,
    { inc } as unknown as Counter,
  );
  const { created, started, switched, paused } = states();

  beforeEach(() => {
    jest.resetAllMocks();
    arm.mockResolvedValue(undefined);
    remove.mockResolvedValue(undefined);
  });
  afterAll(() => timers.onApplicationShutdown());

  it('replaces the one entry on every change that leaves a clock running, earlier or later', async () => {
    await scheduler.armFor(change(created, started));
    await scheduler.armFor(change(started, switched));
    expect(arm.mock.calls).toEqual([
      ['game-1', started.version, deadlineOf(started)],
      ['game-1', switched.version, deadlineOf(switched)],
    ]);
    expect(timers.size).toBe(1);
  });

  it('clears the entry when no clock runs any more, and touches nothing when none ran', async () => {
    await scheduler.armFor(change(switched, paused));
    expect(arm.mock.calls).toEqual([['game-1', paused.version, null]]);
    arm.mockClear();
    await scheduler.armFor(change(null, created));
    await scheduler.armFor(change(paused, paused));
    expect(arm).not.toHaveBeenCalled();
  });

  it('arms nothing for a change that a later one of the same write supersedes', async () => {
    await scheduler.armFor(change(started, switched, { superseded: true }));
    expect(arm).not.toHaveBeenCalled();
  });

  it('a refused arm is counted, and the change stands', async () => {
    arm.mockRejectedValue(new Error('OOM'));
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await expect(scheduler.armFor(change(created, started))).resolves.toBeUndefined();
    expect(inc).toHaveBeenCalledTimes(1);
  });

  it('a deletion removes the entry of a session whose clock ran', async () => {
    await scheduler.clearFor({ sessionId: 'game-1', last: switched, version: 9, now: T0 });
    await scheduler.clearFor({ sessionId: 'game-1', last: paused, version: 9, now: T0 });
    expect(remove.mock.calls).toEqual([['game-1']]);
  });
});
