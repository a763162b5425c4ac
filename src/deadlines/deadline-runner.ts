import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Histogram } from 'prom-client';
import { ClockState } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { METRICS } from '../metrics/metric-names';
import { SessionLoader } from '../sessions/session-loader';
import { SessionsService } from '../sessions/sessions.service';
import { LowTimeWarnings } from './low-time-warnings';

export type DeadlineSource = 'timer' | 'job';

/** How to arm the next wake-up: the timer, and (`durable`) the backstop job. */
export interface ArmRequest {
  durable: boolean;
  /** A low-time warning at or before this instant was dealt with: wake up for what follows. */
  handledUntil?: number;
}

/**
 * What a deadline does when it fires, whichever fired it: settle the session to now through
 * the same clock and compare-and-set as any command (so it races a switch safely: one result),
 * which records every clock that ran out at its exact instant (and starts a scheduled session
 * at its instant), and pushes and audits it through the listeners; then emits the low-time
 * warning that is due, if any. A deadline made stale by a later change finds nothing due and
 * changes nothing.
 */
@Injectable()
export class DeadlineRunner {
  private readonly logger = new Logger(DeadlineRunner.name);
  private armNeeded: (state: ClockState, request: ArmRequest) => Promise<void> = () =>
    Promise.resolve();

  constructor(
    private readonly sessions: SessionsService,
    private readonly loader: SessionLoader,
    private readonly lowTime: LowTimeWarnings,
    @InjectMetric(METRICS.deadlineLateness) private readonly lateness: Histogram<'source'>,
  ) {}

  /** The scheduler hands in how to arm the next wake-up (it owns the timers and the queue). */
  onArmNeeded(arm: (state: ClockState, request: ArmRequest) => Promise<void>): void {
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
      // A warning changes no version, so no change re-arms this instance's timer: do it here.
      const settled = outcome.state ?? (await this.loader.load(sessionId));
      const warned = await this.lowTime.emitDue(settled, committedAt);
      const handledUntil = warned ? committedAt : undefined;
      if (warned) await this.armNeeded(settled, { durable: false, handledUntil });
      // This backstop was the durable cover of the session: the next one must exist.
      if (source === 'job')
        await this.armNeeded(await this.loader.load(sessionId), { durable: true, handledUntil });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'SESSION_NOT_FOUND') return;
      if (source === 'job') throw err;
      this.logger.warn(
        `Deadline timer for ${sessionId} failed (the durable one remains): ${(err as Error).message}`,
      );
    }
  }
}
