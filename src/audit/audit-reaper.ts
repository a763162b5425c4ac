import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Job, Queue } from 'bullmq';
import { Counter } from 'prom-client';
import { METRICS } from '../metrics/metric-names';
import { AUDIT_QUEUE, AuditJobData } from './audit.constants';
import { UNWRITABLE_REASON } from './audit-recorder';

/** Failed jobs read per page, and pages per pass: a pass looks at 1,000 at most. */
const PAGE = 50;
const MAX_PAGES = 20;

/**
 * Puts failed audit jobs back in the queue, with their attempts reset, unless no retry can write
 * them (the recorder's UnrecoverableError for unwritable data): whatever else made a job fail
 * for good (attempts spent on an odd error, a stall limit of an older version, anything) must
 * not lose its acknowledged versions. Runs on each audit worker (AuditWorkerLifecycle); two
 * reapers racing for a job is harmless, one of them retries it.
 */
@Injectable()
export class AuditReaper {
  private readonly logger = new Logger(AuditReaper.name);

  constructor(
    @InjectQueue(AUDIT_QUEUE) private readonly queue: Queue<AuditJobData>,
    @InjectMetric(METRICS.auditJobsRetried) private readonly retried: Counter,
  ) {}

  /** One pass, newest failures first; resolves with the number of jobs put back. */
  async reap(): Promise<number> {
    let kept = 0;
    let retried = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      // The jobs put back leave the failed set: the next page starts after the ones kept.
      const jobs = await this.queue.getFailed(kept, kept + PAGE - 1);
      for (const job of jobs) {
        if (isUnwritable(job)) kept++;
        else if (await this.retry(job)) retried++;
      }
      if (jobs.length < PAGE) break;
    }
    if (retried > 0) {
      this.retried.inc(retried);
      this.logger.warn(`Put ${retried} failed audit job(s) back in the queue`);
    }
    return retried;
  }

  /** False when another reaper (or an operator) took the job first. */
  private async retry(job: Job<AuditJobData>): Promise<boolean> {
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    } catch (err) {
      if (!(await job.isFailed())) return false;
      throw err;
    }
  }
}

export function isUnwritable(job: Job): boolean {
  return job.failedReason?.startsWith(UNWRITABLE_REASON) ?? false;
}
