import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Counter } from 'prom-client';
import { METRICS } from '../metrics/metric-names';
import { AUDIT_QUEUE, AuditJobData } from './audit.constants';
import { AuditWriter } from './audit-writer';
import { classifyFailure } from './pg-errors';

/** While PostgreSQL is unreachable, the queue stops handing out jobs for this long at a time. */
export const OUTAGE_PAUSE_MS = 2000;

/**
 * Records one audit job and decides what a failure means. An outage pauses the whole queue
 * and puts the job back without spending an attempt, so an outage of any length loses
 * nothing; data that no retry can fix fails for good at once, logged with its session.
 */
@Injectable()
export class AuditRecorder {
  private readonly logger = new Logger(AuditRecorder.name);

  constructor(
    private readonly writer: AuditWriter,
    @InjectQueue(AUDIT_QUEUE) private readonly queue: Queue<AuditJobData>,
    @InjectMetric(METRICS.auditUnrecoverable) private readonly unrecoverable: Counter,
  ) {}

  async record(data: AuditJobData): Promise<void> {
    try {
      await this.writer.write(data);
    } catch (err) {
      const message = (err as Error).message;
      switch (classifyFailure(err)) {
        case 'outage':
          await this.queue.rateLimit(OUTAGE_PAUSE_MS).catch(() => undefined);
          throw Worker.RateLimitError();
        case 'bad-data':
          this.unrecoverable.inc();
          this.logger.error(
            `Audit event ${data.session_id} v${data.version} can never be written: ${message}`,
          );
          throw new UnrecoverableError(message);
        case 'retry':
          this.logger.warn(
            `Audit event ${data.session_id} v${data.version} failed, will retry: ${message}`,
          );
          throw err;
      }
    }
  }
}
