import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Histogram } from 'prom-client';
import { wakeUpOf } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { METRICS } from '../metrics/metric-names';
import { SessionLoader } from '../sessions/session-loader';
import { SessionsService } from '../sessions/sessions.service';
import { DeadlineStore } from './deadline-store';
import { DeadlineTimers } from './deadline-timers';
import { LowTimeWarnings } from './low-time-warnings';

/**
 * What fired a deadline: this instance's timer, the durable entry (DeadlineStore), or a BullMQ
 * job queued before the store existed (DeadlineProcessor, kept to drain them).
 */
export type DeadlineSource = 'timer' | 'store' | 'job';

/**
 * What a deadline does when it fires, whichever fired it: settle the session to now through
 * the same clock and compare-and-set as any command (so it races a switch safely: one result),
 * which records every clock that ran out at its exact instant (and starts a scheduled session
 * at its instant), and pushes, audits and re-arms it through the listeners; then emits the
 * low-time warning that is due, if any. A deadline made stale by a later change finds nothing
 * due and changes nothing; a durable one then re-arms the entry from the state as it is.
 */
@Injectable()
export class DeadlineRunner {
  private readonly logger = new Logger(DeadlineRunner.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly loader: SessionLoader,
    private readonly store: DeadlineStore,
    private readonly timers: DeadlineTimers,
    private readonly lowTime: LowTimeWarnings,
    @InjectMetric(METRICS.deadlineLateness) private readonly lateness: Histogram<'source'>,
  ) {}

  /** Rejects only for a durable source, whose entry (or job) then comes back to try again. */
  async fire(sessionId: string, source: DeadlineSource): Promise<void> {
    try {
      const outcome = await this.sessions.execute(sessionId, { kind: 'settle' });
      const committedAt = outcome.view.server_time_ms;
      for (const step of outcome.steps) {
        if (step.timeouts.length > 0)
          this.lateness.observe({ source }, (committedAt - step.at) / 1000);
      }
      const settled = outcome.state ?? (await this.loader.load(sessionId));
      const handled = await this.lowTime.emitDue(settled, committedAt);
      const handledUntil = handled ? committedAt : undefined;
      const next = wakeUpOf(settled, handledUntil);
      // A warning changes no version, so no change re-arms this instance's timer: do it here.
      if (handled) this.timers.schedule(sessionId, next, (id) => void this.fire(id, 'timer'));
      // A commit re-armed the entry itself (DeadlineScheduler), but not past a handled warning;
      // a stale entry is re-armed here from the state as it is.
      if (source !== 'timer' && (outcome.steps.length === 0 || handled)) {
        await this.store.arm(sessionId, settled.version, next);
      }
    } catch (err) {
      if (err instanceof DomainError && err.code === 'SESSION_NOT_FOUND') {
        if (source !== 'timer') await this.store.remove(sessionId);
        return;
      }
      if (source !== 'timer') throw err;
      this.logger.warn(
        `Deadline timer for ${sessionId} failed (the durable one remains): ${(err as Error).message}`,
      );
    }
  }
}
