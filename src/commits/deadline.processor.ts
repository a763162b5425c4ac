import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { NEVER_GIVE_UP_WORKER_OPTIONS } from '../queue/worker-options';
import { DEADLINES_QUEUE, DeadlineJobData } from '../deadlines/deadline.constants';
import { DeadlineRunner } from './deadline-runner';

/**
 * Drains the durable deadline jobs that versions before the DeadlineStore queued (nothing adds
 * them any more): each fires like an entry, and re-arms the session in the store. It can go
 * once `synckairos_queue_jobs{queue="deadlines"}` reads 0 on every state, for as long as the
 * longest clock that ran under the old version. Started by DeadlineWorkerLifecycle.
 */
// drainDelay 1 s: the delayed-job marker wakes one worker only; if that instance dies, the
// others look again within a second instead of the default five.
@Processor(DEADLINES_QUEUE, {
  autorun: false,
  concurrency: 50,
  drainDelay: 1,
  runRetryDelay: 1000,
  ...NEVER_GIVE_UP_WORKER_OPTIONS,
})
export class DeadlineProcessor extends WorkerHost {
  constructor(private readonly runner: DeadlineRunner) {
    super();
  }

  process(job: Job<DeadlineJobData>): Promise<void> {
    return this.runner.fire(job.data.session_id, 'job');
  }
}
