import { Logger } from '@nestjs/common';
import { applyCommand, createSession, deadlineOf } from '@synckairos/clock';
import { Histogram } from 'prom-client';
import { DomainError } from '../common/errors/domain-error';
import { DeadlineStore } from '../deadlines/deadline-store';
import { DeadlineTimers } from '../deadlines/deadline-timers';
import { LowTimeWarnings } from '../deadlines/low-time-warnings';
import { CommandService } from './command.service';
import { CommitPipeline } from './commit-pipeline';
import { DeadlineRunner } from './deadline-runner';

const T0 = 1_800_000_000_000;
const running = applyCommand(
  createSession(
    {
      session_id: 'game-1',
      sync_mode: 'global',
      participants: [{ participant_id: 'a' }],
      total_time_ms: 60_000,
    },
    T0,
  ).state,
  { kind: 'start' },
  T0,
).state;

describe('DeadlineRunner', () => {
  const execute = jest.fn();
  const load = jest.fn();
  const arm = jest.fn<Promise<void>, [string, number, number | null]>();
  const remove = jest.fn<Promise<void>, [string]>();
  const schedule = jest.fn();
  const claimDue = jest.fn<Promise<{ due: boolean }>, [unknown, number]>();
  const runner = new DeadlineRunner(
    { execute, load } as unknown as CommandService,
    { lowTime: () => Promise.resolve() } as unknown as CommitPipeline,
    { arm, remove } as unknown as DeadlineStore,
    { schedule } as unknown as DeadlineTimers,
    { claimDue } as unknown as LowTimeWarnings,
    { observe: () => undefined } as unknown as Histogram<'source'>,
  );
  const settled = (steps: unknown[]) => ({ view: { server_time_ms: T0 }, steps });

  beforeEach(() => {
    jest.resetAllMocks();
    load.mockResolvedValue(running);
    claimDue.mockResolvedValue({ due: false });
  });

  it('a durable entry that found nothing due is re-armed from the state as it is', async () => {
    execute.mockResolvedValue(settled([]));
    await runner.fire('game-1', 'store');
    expect(arm).toHaveBeenCalledWith('game-1', running.version, deadlineOf(running));
  });

  it('a fire that committed leaves the re-arm to the commit; a timer never re-arms', async () => {
    execute.mockResolvedValue(settled([{ timeouts: [], at: T0 }]));
    await runner.fire('game-1', 'store');
    execute.mockResolvedValue(settled([]));
    await runner.fire('game-1', 'timer');
    expect(arm).not.toHaveBeenCalled();
  });

  it('a handled low-time warning re-arms the timer and the entry past it, though nothing committed', async () => {
    execute.mockResolvedValue(settled([]));
    claimDue.mockResolvedValue({ due: true });
    await runner.fire('game-1', 'timer');
    expect(schedule).toHaveBeenCalledWith('game-1', deadlineOf(running));
    expect(arm).not.toHaveBeenCalled();
    await runner.fire('game-1', 'store');
    expect(arm).toHaveBeenCalledWith('game-1', running.version, deadlineOf(running));
  });

  it('a session that is gone loses its entry', async () => {
    execute.mockRejectedValue(DomainError.notFound('game-1'));
    await runner.fire('game-1', 'store');
    await runner.fire('game-1', 'job');
    expect(remove.mock.calls).toEqual([['game-1'], ['game-1']]);
  });

  it('a durable fire that failed rejects, so that it comes back; a timer only logs', async () => {
    execute.mockRejectedValue(new Error('Redis away'));
    await expect(runner.fire('game-1', 'store')).rejects.toThrow('Redis away');
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await expect(runner.fire('game-1', 'timer')).resolves.toBeUndefined();
  });
});
