import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { NEVER_GIVE_UP_WORKER_OPTIONS } from '../queue/worker-options';
import { AUDIT_QUEUE, AuditJobData, eventsOf } from './audit.constants';
import { cappedExponentialBackoff } from './audit-retry';
import { AuditRecorder } from './audit-recorder';

/**
 * Consumes the `audit` queue. It does not start by itself: AuditWorkerLifecycle starts it
 * unless AUDIT_WORKER=false, so that an API instance can leave the consuming to workers. A job
 * whose worker died comes back within seconds, any number of times; what still fails for good
 * without being unwritable is retried by the AuditReaper.
 */
@Processor(AUDIT_QUEUE, {
  autorun: false,
  concurrency: 100,
  ...NEVER_GIVE_UP_WORKER_OPTIONS,
  // After a Redis outage, look again within a second (the default waits 15 s).
  runRetryDelay: 1000,
  settings: { backoffStrategy: cappedExponentialBackoff },
})
export class AuditProcessor extends WorkerHost {
  constructor(private readonly recorder: AuditRecorder) {
    super();
  }

  process(job: Job<AuditJobData>): Promise<void> {
    return this.recorder.recordJob(eventsOf(job.data));
  }
}
