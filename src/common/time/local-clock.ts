/**
 * This host's clock read on a monotonic timer anchored to `Date.now()` once: a wall-clock step
 * (NTP, an operator) never moves it, only the measured offset to Redis does. `skewMs` shifts
 * it, so that tests can play a host whose clock is wrong.
 */
export class LocalClock {
  private readonly anchorMs = Date.now();
  private readonly anchorMono = performance.now();

  constructor(private readonly skewMs = 0) {}

  now(): number {
    return this.anchorMs + (performance.now() - this.anchorMono) + this.skewMs;
  }
}
