import { Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { Counter } from 'prom-client';
import { AuditReaper } from './audit-reaper';
import { UNWRITABLE_REASON } from './audit-recorder';

interface FakeJob {
  id: string;
  failedReason: string;
  retried: { resetAttemptsMade?: boolean; resetAttemptsStarted?: boolean } | null;
}

/** A failed set, newest first, whose jobs leave it when retried; `takenByOthers` are gone already. */
function failedSet(reasons: string[], takenByOthers = new Set<string>()) {
  const failed: FakeJob[] = reasons.map((failedReason, i) => ({
    id: String(i + 1),
    failedReason,
    retried: null,
  }));
  const all = [...failed];
  const asJob = (j: FakeJob) =>
    ({
      id: j.id,
      failedReason: j.failedReason,
      retry: (_state: string, opts: FakeJob['retried']) => {
        if (takenByOthers.has(j.id)) {
          failed.splice(failed.indexOf(j), 1);
          return Promise.reject(new Error(`Job ${j.id} is not in the failed state`));
        }
        j.retried = opts;
        failed.splice(failed.indexOf(j), 1);
        return Promise.resolve();
      },
      isFailed: () => Promise.resolve(failed.includes(j)),
    }) as unknown as Job;
  const queue = {
    getFailed: (start: number, end: number) =>
      Promise.resolve(failed.slice(start, end + 1).map(asJob)),
  } as unknown as Queue;
  return { queue, all, failed };
}

const counter = () => ({ inc: jest.fn() }) as unknown as Counter & { inc: jest.Mock };

describe('AuditReaper', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));

  it('puts back every failed job but the unwritable ones, with their attempts reset', async () => {
    const reasons = [
      'job stalled more than allowable limit',
      `${UNWRITABLE_REASON} game-1 v3: value too long`,
      'deadlock detected',
      'job started more than allowable limit',
    ];
    const { queue, all, failed } = failedSet(reasons);
    const retried = counter();
    await expect(new AuditReaper(queue, retried).reap()).resolves.toBe(3);
    expect(failed.map((j) => j.failedReason)).toEqual([reasons[1]]);
    expect(all.filter((j) => j.retried).map((j) => j.retried)).toEqual(
      Array(3).fill({ resetAttemptsMade: true, resetAttemptsStarted: true }),
    );
    expect(retried.inc).toHaveBeenCalledWith(3);
  });

  it('pages past the unwritable ones, and stops at 1,000 jobs a pass', async () => {
    // 60 unwritable first (newest), then 2,000 to retry.
    const reasons = [
      ...Array<string>(60).fill(`${UNWRITABLE_REASON} x`),
      ...Array<string>(2000).fill('attempts spent'),
    ];
    const { queue, failed } = failedSet(reasons);
    const reaper = new AuditReaper(queue, counter());
    await expect(reaper.reap()).resolves.toBe(1000 - 60);
    await expect(reaper.reap()).resolves.toBe(1000 - 60);
    await expect(reaper.reap()).resolves.toBe(2000 - 2 * 940);
    expect(failed).toHaveLength(60);
  });

  it('skips a job another reaper took first, and goes on', async () => {
    const { queue, failed } = failedSet(['a', 'b', 'c'], new Set(['2']));
    await expect(new AuditReaper(queue, counter()).reap()).resolves.toBe(2);
    expect(failed).toEqual([]);
  });

  it('fails the pass when Redis fails the retry', async () => {
    const { queue } = failedSet(['a']);
    const broken = {
      getFailed: async (s: number, e: number) =>
        (await queue.getFailed(s, e)).map((j) =>
          Object.assign(j, {
            retry: () => Promise.reject(new Error('Connection is closed.')),
            isFailed: () => Promise.resolve(true),
          }),
        ),
    } as unknown as Queue;
    await expect(new AuditReaper(broken, counter()).reap()).rejects.toThrow(
      'Connection is closed.',
    );
  });
});
