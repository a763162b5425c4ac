import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Histogram } from 'prom-client';
import { wakeUpOf } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { DeadlineStore } from '../deadlines/deadline-store';
import { DeadlineTimers } from '../deadlines/deadline-timers';
import { LowTimeWarnings } from '../deadlines/low-time-warnings';
import { METRICS } from '../metrics/metric-names';
import { CommandService } from './command.service';
import { CommitPipeline } from './commit-pipeline';

/**
 * What fired a deadline: this instance's timer, the durable entry (DeadlineStore), or a BullMQ
 * job queued before the store existed (DeadlineProcessor, kept to drain them).
 */
export type DeadlineSource = 'timer' | 'store' | 'job';

/**
 * What a deadline does when it fires, whichever fired it: settle the session to now through
 * the command path like any command (the same clock and compare-and-set, so it races a switch
 * safely: one result), which records every clock that ran out at its exact instant (and starts
 * a scheduled session at its instant), and pushes, audits and re-arms it through the commit
 * pipeline; then emits the low-time warning that is due, if any. A deadline made stale by a
 * later change finds nothing due and changes nothing; a durable one then re-arms the entry from
 * the state as it is. This instance's timers (DeadlineTimers, armed by every commit) fire here.
 */
@Injectable()
export class DeadlineRunner implements OnApplicationBootstrap {
  private readonly logger = new Logger(DeadlineRunner.name);

  constructor(
    private readonly commands: CommandService,
    private readonly pipeline: CommitPipeline,
    private readonly store: DeadlineStore,
    private readonly timers: DeadlineTimers,
    private readonly lowTime: LowTimeWarnings,
    @InjectMetric(METRICS.deadlineLateness) private readonly lateness: Histogram<'source'>,
  ) {}

  /** Fires each timer as it runs out, not waiting for one before the next; ends at shutdown. */
  onApplicationBootstrap(): void {
    void (async () => {
      for await (const sessionId of this.timers.expired()) void this.fire(sessionId, 'timer');
    })();
  }

  /** Rejects only for a durable source, whose entry (or job) then comes back to try again. */
  async fire(sessionId: string, source: DeadlineSource): Promise<void> {
    try {
      const outcome = await this.commands.execute(sessionId, { kind: 'settle' });
      const committedAt = outcome.view.server_time_ms;
      for (const step of outcome.steps) {
        if (step.timeouts.length > 0)
          this.lateness.observe({ source }, (committedAt - step.at) / 1000);
      }
      const settled = outcome.state ?? (await this.commands.load(sessionId));
      const claim = await this.lowTime.claimDue(settled, committedAt);
      if (claim.warning) await this.pipeline.lowTime(claim.warning);
      const next = wakeUpOf(settled, claim.due ? committedAt : undefined);
      // A warning changes no version, so no change re-arms this instance's timer: do it here.
      if (claim.due) this.timers.schedule(sessionId, next);
      // A commit re-armed the entry itself (DeadlineScheduler), but not past a handled warning;
      // a stale entry is re-armed here from the state as it is.
      if (source !== 'timer' && (outcome.steps.length === 0 || claim.due)) {
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
