import { Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { assessClock, ClockPolicy, ClockStatus } from './clock-trust';
import { LocalClock } from './local-clock';
import { OffsetEstimate } from './offset-estimate';

/**
 * The server's clock: the one place every rule reads the time. It is this host's monotonic
 * clock corrected by its last measured offset to Redis' `TIME` (ClockSync), so that every
 * instance reads the same time whatever its host's clock says; no Redis call per reading.
 */
@Injectable()
export class TimeSource {
  private estimate: OffsetEstimate | null = null;

  constructor(
    private readonly local: LocalClock,
    private readonly policy: ClockPolicy,
  ) {}

  /** The best known time (epoch ms), trusted or not: for timers, logs and metrics. */
  now(): number {
    const offset = this.policy.correct && this.estimate ? this.estimate.offsetMs : 0;
    return Math.round(this.local.now() + offset);
  }

  /** The time a command is decided at: refused (503) while the clock cannot be trusted. */
  trustedNow(): number {
    const status = this.status();
    if (!status.trusted) {
      throw new DomainError(
        'UNAVAILABLE',
        `this instance's clock is not in step with Redis (${status.reason}); try again`,
      );
    }
    return this.now();
  }

  status(): ClockStatus {
    return assessClock(this.estimate, this.local.now(), this.policy);
  }

  /** A new measurement replaces the old one (ClockSync). */
  update(estimate: OffsetEstimate): void {
    this.estimate = estimate;
  }
}
