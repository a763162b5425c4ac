import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ClockState, FINAL_STATUSES, runHorizonMs, scheduledStartOf } from '@synckairos/clock';
import { Env } from '../config/env.validation';

/**
 * How long Redis keeps a session after a write. A running session never expires before its
 * clocks could have run out (then the retention on top); one that can run for ever (per_cycle
 * with auto_advance, count_up without a cap) does not expire while running. Finished sessions
 * stay readable for the retention; pending and paused ones for the idle TTL (a scheduled one
 * until its start plus the retention), after which the audit trail can still bring them back.
 */
@Injectable()
export class SessionTtlPolicy {
  readonly retentionMs: number;
  private readonly idleMs: number;

  constructor(config: ConfigService<Env, true>) {
    this.retentionMs = config.get('SESSION_RETENTION_S', { infer: true }) * 1000;
    this.idleMs = config.get('SESSION_IDLE_TTL_S', { infer: true }) * 1000;
  }

  /** Milliseconds from `now`; 0 means no expiry. */
  ttlMs(state: ClockState, now: number): number {
    if (FINAL_STATUSES.has(state.status)) {
      return Math.max(1, (state.session_completed_at ?? now) + this.retentionMs - now);
    }
    const scheduled = scheduledStartOf(state);
    // A scheduled session stays until its start plus the retention, however far ahead.
    if (scheduled !== null) return Math.max(this.idleMs, scheduled - now + this.retentionMs);
    if (state.status !== 'running') return this.idleMs;
    const horizon = runHorizonMs(state);
    if (!Number.isFinite(horizon)) return 0;
    const endsBy = (state.cycle_started_at ?? now) + horizon;
    return Math.max(0, endsBy - now) + this.retentionMs;
  }
}
