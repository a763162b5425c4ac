import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue, RateLimitError, UnrecoverableError, Worker } from 'bullmq';
import { Counter } from 'prom-client';
import { METRICS } from '../metrics/metric-names';
import { SessionStore } from '../state/session-store';
import { AUDIT_QUEUE, AuditEvent, AuditJobData, describeEvents } from './audit.constants';
import { AuditWriter, UnwritableEventsError } from './audit-writer';
import { classifyFailure } from './pg-errors';

/** While PostgreSQL is unreachable, the queue stops handing out jobs for this long at a time. */
export const OUTAGE_PAUSE_MS = 2000;

/** How the failure of a job that no retry can fix begins: the AuditReaper leaves these. */
export const UNWRITABLE_REASON = 'Unwritable audit events:';

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
   * Written: the sessions' outbox entries of these versions go. A failure here only leaves
   * entries that a relay writes again (one row each).
   */
  private async ack(events: AuditEvent[]): Promise<void> {
    await Promise.all(
      [...versionsBySession(events)].map(([id, versions]) =>
        this.store.ackOutbox(id, versions).catch((err: Error) => {
          this.logger.warn(`Outbox of ${id} not trimmed: ${err.message}`);
        }),
      ),
    );
  }

  /**
   * An audit job's events. While PostgreSQL is down, the job is not kept: its events are in
   * their sessions' outboxes (the compare-and-set put them there), compact, and the relay
   * writes them once it is back; the job only marks them handed off, so that the relay does
   * not hand them on again. Should that mark fail, the job waits, as the relay's own writes do.
   */
  async recordJob(events: AuditEvent[]): Promise<void> {
    try {
      await this.record(events);
    } catch (err) {
      if (!(err instanceof RateLimitError)) throw err;
      const handedOff = await this.handOff(events);
      if (!handedOff) throw err;
    }
  }

  private async handOff(events: AuditEvent[]): Promise<boolean> {
    try {
      await Promise.all(
        [...versionsBySession(events)].map(([id, versions]) =>
          this.store.handOffOutbox(id, versions[versions.length - 1]),
        ),
      );
      return true;
    } catch (err) {
      this.logger.warn(`Audit job kept (outboxes not marked): ${(err as Error).message}`);
      return false;
    }
  }

  /** Whether an outage paused the queue within the last OUTAGE_PAUSE_MS: writes would fail. */
  async pausedForOutage(): Promise<boolean> {
    return (await this.queue.getRateLimitTtl()) > 0;
  }

  /** Writes the events; an outage pauses the queue and rejects with BullMQ's RateLimitError. */
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
          throw new UnrecoverableError(`${UNWRITABLE_REASON} ${message}`);
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

/** Each session's versions among the events, ascending. */
function versionsBySession(events: AuditEvent[]): Map<string, number[]> {
  const bySession = new Map<string, number[]>();
  for (const e of events) {
    const versions = bySession.get(e.session_id);
    if (versions) versions.push(e.version);
    else bySession.set(e.session_id, [e.version]);
  }
  for (const versions of bySession.values()) versions.sort((a, b) => a - b);
  return bySession;
}

const more = (events: AuditEvent[]) => (events.length > 1 ? ` and ${events.length - 1} more` : '');
