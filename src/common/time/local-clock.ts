/**
 * This host's clock, read on the monotonic timer from the wall-clock instant the process
 * started (`performance.timeOrigin`, sub-millisecond): a wall-clock step (NTP, an operator)
 * never moves it, only the measured offset to Redis does. `skewMs` shifts it, so that tests
 * can play a host whose clock is wrong.
 */
export class LocalClock {
  constructor(private readonly skewMs = 0) {}

  now(): number {
    return performance.timeOrigin + performance.now() + this.skewMs;
  }
}
