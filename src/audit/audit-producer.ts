import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue } from 'bullmq';
import { Counter } from 'prom-client';
import { Env } from '../config/env.validation';
import { METRICS } from '../metrics/metric-names';
import { JobBatcher, JobStream } from '../queue/job-batcher';
import { ProducerQueues } from '../queue/producer-queues';
import { SessionChange, SessionDeletion } from '../state/session-change';
import { AUDIT_JOB, AUDIT_QUEUE, AuditEvent, AuditJobData } from './audit.constants';
import { auditEventsOf, deletionEventOf } from './audit-events';
import { AUDIT_JOB_OPTIONS } from './audit-retry';

/**
 * Puts the committed changes on the `audit` queue, never waiting for PostgreSQL. The changes
 * of the requests that commit in the same turn of the event loop travel as one job (split at
 * AUDIT_BATCH_MAX events), in the same round trip as the deadlines they arm (JobBatcher), so
 * that under load a switch costs Redis a fraction of a job, not a job of its own; the worker
 * writes a job's events in one statement, and the events table's key (session, version) makes
 * a job written twice leave one row each. It adds on the fail-fast
 * producer connection, so that a Redis that refuses the job fails the enqueue at once; the
 * request still succeeds, and the failure is logged and counted. Called by the commit pipeline.
 */
@Injectable()
export class AuditProducer implements OnModuleInit {
  private readonly logger = new Logger(AuditProducer.name);
  private readonly queue: Queue<AuditJobData>;
  private readonly stream: JobStream<AuditEvent>;
  private readonly enabled: boolean;

  constructor(
    queues: ProducerQueues,
    private readonly jobs: JobBatcher,
    config: ConfigService<Env, true>,
    @InjectMetric(METRICS.auditEnqueueFailures) private readonly failures: Counter,
  ) {
    this.queue = queues.open<AuditJobData>(AUDIT_QUEUE);
    this.stream = {
      queue: this.queue,
      name: AUDIT_JOB,
      opts: AUDIT_JOB_OPTIONS,
      max: config.get('AUDIT_BATCH_MAX', { infer: true }),
      data: (events) => ({ events }),
    };
    this.enabled = config.get('AUDIT_ENABLED', { infer: true });
  }

  onModuleInit(): void {
    if (!this.enabled)
      this.logger.warn('AUDIT_ENABLED=false: state changes are not recorded (benchmarks only)');
  }

  /** A recovered change is in PostgreSQL already (OutboxRelay). */
  async recordChange(change: SessionChange): Promise<void> {
    if (!this.enabled || change.steps.length === 0 || change.recovered) return;
    await this.enqueue(change.sessionId, auditEventsOf(change));
  }

  /** Already written by the archive before the delete was answered; queued all the same. */
  async recordDeletion(deletion: SessionDeletion): Promise<void> {
    if (!this.enabled) return;
    await this.enqueue(deletion.sessionId, [deletionEventOf(deletion)]);
  }

  private async enqueue(sessionId: string, events: AuditEvent[]): Promise<void> {
    try {
      await this.jobs.append(this.stream, events);
    } catch (err) {
      this.failures.inc(events.length);
      const versions = events.map((e) => e.version).join(',');
      this.logger.error(
        `Audit enqueue failed for session ${sessionId} v${versions}: ${(err as Error).message}`,
      );
    }
  }
}
