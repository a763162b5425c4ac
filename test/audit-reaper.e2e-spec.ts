import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { AUDIT_JOB, AUDIT_QUEUE } from '../src/audit/audit.constants';
import { AuditReaper } from '../src/audit/audit-reaper';
import { UNWRITABLE_REASON } from '../src/audit/audit-recorder';
import { SessionKeys } from '../src/state/session-keys';
import { cleanRedis, startApp } from './support/e2e-app';

describe('AuditReaper on a real queue', () => {
  let app: INestApplication;
  let queue: Queue;
  let hand: Worker;

  beforeAll(async () => {
    // No audit worker here: the test fails jobs by hand, as a worker would.
    app = await startApp({ AUDIT_WORKER: 'false' });
    queue = app.get<Queue>(getQueueToken(AUDIT_QUEUE));
    hand = new Worker(AUDIT_QUEUE, null, {
      connection: { url: process.env.REDIS_URL },
      prefix: app.get(SessionKeys).queuePrefix(),
      autorun: false,
    });
  });

  afterAll(async () => {
    await hand.close();
    await app.close();
    await cleanRedis();
  });

  /** A job taken and failed for good with `reason`. */
  async function failedFor(reason: string): Promise<Job> {
    await queue.add(AUDIT_JOB, { events: [] }, { attempts: 1 });
    const token = `hand-${reason}`;
    const job = (await hand.getNextJob(token, { block: false })) as Job;
    await job.moveToFailed(new Error(reason), token);
    return job;
  }

  it('puts a job that failed for good back in the queue, but not one whose data is unwritable', async () => {
    const lost = await failedFor('job stalled more than allowable limit');
    const poisoned = await failedFor(`${UNWRITABLE_REASON} game-1 v3: value too long`);
    await expect(lost.getState()).resolves.toBe('failed');

    await expect(app.get(AuditReaper).reap()).resolves.toBe(1);

    await expect(lost.getState()).resolves.toBe('waiting');
    expect((await queue.getJob(lost.id as string))?.attemptsMade).toBe(0);
    await expect(poisoned.getState()).resolves.toBe('failed');
    // A second pass finds nothing more to do.
    await expect(app.get(AuditReaper).reap()).resolves.toBe(0);
  });
});
