import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Histogram } from 'prom-client';
import { ClockState } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { METRICS } from '../metrics/metric-names';
import { SessionLoader } from '../sessions/session-loader';
import { SessionsService } from '../sessions/sessions.service';

export type DeadlineSource = 'timer' | 'job';

/**
 * What a deadline does when it fires, whichever fired it: settle the session to now through
 * the same clock and compare-and-set as any command (so it races a switch safely: one result),
 * which records every clock that ran out at its exact instant, and pushes and audits it
 * through the listeners. A deadline made stale by a later change finds nothing due and
 * changes nothing.
 */
@Injectable()
export class DeadlineRunner {
  private readonly logger = new Logger(DeadlineRunner.name);
  private armNeeded: (state: ClockState) => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly sessions: SessionsService,
    private readonly loader: SessionLoader,
    @InjectMetric(METRICS.deadlineLateness) private readonly lateness: Histogram<'source'>,
  ) {}

  /** The scheduler hands in how to arm a durable deadline (it owns the queue). */
  onArmNeeded(arm: (state: ClockState) => Promise<void>): void {
    this.armNeeded = arm;
  }

  async fire(sessionId: string, source: DeadlineSource): Promise<void> {
    try {
      const outcome = await this.sessions.execute(sessionId, { kind: 'settle' });
      const committedAt = outcome.view.server_time_ms;
      for (const step of outcome.steps) {
        if (step.timeouts.length > 0)
          this.lateness.observe({ source }, (committedAt - step.at) / 1000);
      }
      // This backstop was the durable cover of the session: the next one must exist.
      if (source === 'job') await this.armNeeded(await this.loader.load(sessionId));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'SESSION_NOT_FOUND') return;
      if (source === 'job') throw err;
      this.logger.warn(
        `Deadline timer for ${sessionId} failed (the durable one remains): ${(err as Error).message}`,
      );
    }
  }
}
