import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { ClockState, wakeUpOf } from '@synckairos/clock';
import { METRICS } from '../metrics/metric-names';
import { SessionChange, SessionDeletion } from '../state/session-change';
import { DeadlineStore } from './deadline-store';
import { DeadlineTimers } from './deadline-timers';

/**
 * Arms a session's wake-up (the clock's `wakeUpOf`: a flag, a scheduled start or a low-time
 * warning) on every change: a timer on this instance at the exact instant
 * (the precise path), and the session's one durable entry, replaced (DeadlineStore) at the
 * instant + grace, or removed when no clock runs: any instance's poller fires it, even if this
 * one died. The entry rides the pipeline of the change's audit job, so it costs no round trip.
 * Of the changes of commands that committed together, only the last was stored: the others arm
 * nothing. Called by the commit pipeline; what fires is the DeadlineRunner's.
 */
@Injectable()
export class DeadlineScheduler {
  private readonly logger = new Logger(DeadlineScheduler.name);

  constructor(
    private readonly timers: DeadlineTimers,
    private readonly store: DeadlineStore,
    @InjectMetric(METRICS.deadlineArmFailures) private readonly armFailures: Counter,
  ) {}

  async armFor(change: SessionChange): Promise<void> {
    if (change.superseded) return;
    const due = wakeUpOf(change.after);
    this.timers.schedule(change.sessionId, due);
    // No clock ran before either: there is no entry to clear (a stray one only fires for nothing).
    if (due === null && (change.before === null || wakeUpOf(change.before) === null)) return;
    await this.armDurable(change.after, due);
  }

  async clearFor(deletion: SessionDeletion): Promise<void> {
    this.timers.clear(deletion.sessionId);
    if (wakeUpOf(deletion.last) === null) return;
    await this.store.remove(deletion.sessionId).catch((err: Error) => {
      // The entry fires for nothing later, finds no session, and goes.
      this.logger.warn(`Deadline of deleted ${deletion.sessionId} not removed: ${err.message}`);
    });
  }

  private async armDurable(state: ClockState, due: number | null): Promise<void> {
    try {
      await this.store.arm(state.session_id, state.version, due);
    } catch (err) {
      this.armFailures.inc();
      this.logger.error(
        `Deadline of ${state.session_id} v${state.version} not armed: ${(err as Error).message}`,
      );
    }
  }
}
