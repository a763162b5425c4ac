import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { TimeSource } from '../common/time/time-source';

/** Whether this instance's clock is in step with Redis' (ClockSync), with the numbers. */
@Injectable()
export class ClockHealthIndicator {
  constructor(
    private readonly time: TimeSource,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'clock'): HealthIndicatorResult {
    const status = this.time.status();
    const details = {
      correction: status.correcting,
      offset_ms: round(status.offsetMs),
      bound_ms: round(status.boundMs),
      measured_ms_ago: round(status.ageMs),
    };
    const indicator = this.health.check(key);
    return status.trusted
      ? indicator.up(details)
      : indicator.down({ message: status.reason, ...details });
  }
}

function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 10) / 10;
}
