import type { LocalClock } from '../monotonic-clock';
import type { TimeSample } from '../offset-estimator';

/** A local clock that moves only when told. */
export class FakeLocalClock implements LocalClock {
  constructor(public t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * A server clock `offset` ms ahead of local time, drifting `driftPpm` from local time 0 on:
 * server(t) = t + offset + t * driftPpm / 1e6, truncated to integer ms as Date.now() is.
 */
export class TrueServer {
  constructor(
    public offset: number,
    public driftPpm = 0,
  ) {}
  exact(local: number): number {
    return local + this.offset + (local * this.driftPpm) / 1e6;
  }
  answer(local: number): number {
    return Math.floor(this.exact(local));
  }
  /** A sample sent at `sentAt` local, `up` ms to the server, `down` ms back. */
  sample(sentAt: number, up: number, down: number): TimeSample {
    return {
      sent_at: sentAt,
      received_at: sentAt + up + down,
      server_time_ms: this.answer(sentAt + up),
    };
  }
}
