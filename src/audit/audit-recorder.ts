import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Counter } from 'prom-client';
import { METRICS } from '../metrics/metric-names';
import { SessionStore } from '../state/session-store';
import { AUDIT_QUEUE, AuditEvent, AuditJobData, describeEvents } from './audit.constants';
import { AuditWriter, UnwritableEventsError } from './audit-writer';
import { classifyFailure } from './pg-errors';

/** While PostgreSQL is unreachable, the queue stops handing out jobs for this long at a time. */
export const OUTAGE_PAUSE_MS = 2000;

/**
 * Records one audit job's events and decides what a failure means. An outage pauses the whole
 * queue and puts the job back without spending an attempt, so an outage of any length loses
 * nothing; data that no retry can fix fails the job for good at once, logged with the events
 * at fault (the job's other events are written).
 */
@Injectable()
export class AuditRecorder {
  private readonly logger = new Logger(AuditRecorder.name);

  constructor(
    private readonly writer: AuditWriter,
    @InjectQueue(AUDIT_QUEUE) private readonly queue: Queue<AuditJobData>,
    @InjectMetric(METRICS.auditUnrecoverable) private readonly unrecoverable: Counter,
    private readonly store: SessionStore,
  ) {}

  /**
   * Written: the sessions' outbox entries up to these versions go. A failure here only leaves
   * entries that a relay writes again (one row each).
   */
  private async ack(events: AuditEvent[]): Promise<void> {
    await Promise.all(
      [...newestBySession(events)].map(([id, version]) =>
        this.store.ackOutbox(id, version).catch((err: Error) => {
          this.logger.warn(`Outbox of ${id} not trimmed: ${err.message}`);
        }),
      ),
    );
  }

  async record(events: AuditEvent[]): Promise<void> {
    try {
      await this.writer.write(events);
      await this.ack(events);
    } catch (err) {
      const message = (err as Error).message;
      switch (classifyFailure(err)) {
        case 'outage':
          await this.queue.rateLimit(OUTAGE_PAUSE_MS).catch(() => undefined);
          throw Worker.RateLimitError();
        case 'bad-data': {
          const unwritable = err instanceof UnwritableEventsError ? err.events : events;
          this.unrecoverable.inc(unwritable.length);
          this.logger.error(`Audit events can never be written: ${message}`);
          // Failed for good, with the job that names them: no relay is to try them again.
          await this.ack(events).catch(() => undefined);
          throw new UnrecoverableError(message);
        }
        case 'retry':
          this.logger.warn(
            `Audit events ${describeEvents(events.slice(0, 1))}${more(events)} failed, will retry: ${message}`,
          );
          throw err;
      }
    }
  }
}

/** The newest version of each session among the events. */
function newestBySession(events: AuditEvent[]): Map<string, number> {
  const newest = new Map<string, number>();
  for (const e of events)
    newest.set(e.session_id, Math.max(newest.get(e.session_id) ?? 0, e.version));
  return newest;
}

const more = (events: AuditEvent[]) => (events.length > 1 ? ` and ${events.length - 1} more` : '');
