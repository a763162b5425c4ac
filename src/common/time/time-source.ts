import { Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { assessClock, ClockPolicy, ClockStatus, correctionOf } from './clock-trust';
import { LocalClock } from './local-clock';
import { OffsetEstimate, refineOffset } from './offset-estimate';

/**
 * The server's clock: the one place every rule reads the time. It is this host's monotonic
 * clock corrected by what ClockSync measured of its offset to Redis' `TIME`, so that every
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
    return Math.round(this.local.now() + correctionOf(this.estimate, this.policy.correct));
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

  /** A new measurement (ClockSync), taken together with what the previous ones knew. */
  update(measured: OffsetEstimate): void {
    this.estimate = refineOffset(this.estimate, measured);
  }
}
