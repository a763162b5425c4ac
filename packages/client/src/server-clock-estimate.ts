import type { LocalClock } from './monotonic-clock';
import type { OffsetEstimator, TimeSample } from './offset-estimator';

/** `client.offset`: what the clock correction rests on, as of the moment it is read. */
export interface ClockOffset {
  /** Server minus local clock (the monotonic one), as applied now, ms. */
  offset_ms: number;
  /** |now() - true server time| is within this, ms (Infinity before the first sync). */
  error_ms: number;
  /** Round trip of the best sample, ms (null before the first sync). */
  rtt_ms: number | null;
  /** Samples the estimate rests on. */
  samples: number;
  /** When the last sync finished, server epoch ms (null before the first). */
  synced_at: number | null;
}

export interface SlewOptions {
  /** How fast a correction is worked in: 0.05 = the clock runs at most 5 % fast or slow. */
  slewRate: number;
  /** A correction larger than this is stepped forward, or waited out standing still (ms). */
  stepThresholdMs: number;
}

/** Epoch milliseconds as doubles are exact to about 0.25 µs: the bound covers the rounding. */
const FLOAT_MARGIN_MS = 0.001;

/**
 * The estimated server clock. A new estimate is never jumped to: the applied offset moves
 * towards it at `slewRate`, so now() runs a little fast or slow for a while but never goes
 * back, and the error bound is computed for the offset actually applied at each moment.
 */
export class EstimatedServerClock {
  private from = 0;
  private target = 0;
  private slewStart = 0;
  private rate = 0;
  private synced = false;
  private syncedAt: number | null = null;
  private last = -Infinity;

  constructor(
    private readonly local: LocalClock,
    private readonly estimator: OffsetEstimator,
    private readonly options: SlewOptions,
  ) {}

  now(): number {
    const t = this.local.now();
    const value = Math.max(this.last, t + this.appliedAt(t));
    this.last = value;
    return value;
  }

  get isSynced(): boolean {
    return this.synced;
  }

  /** Takes a round of samples into the estimate; returns false when none was usable. */
  addRound(samples: TimeSample[]): boolean {
    const t = this.local.now();
    if (!this.estimator.addRound(samples, t)) return false;
    const estimate = this.estimator.estimate(t) as number;
    const current = this.appliedAt(t);
    // The first correction, or a large one, is worked in at once: a step forward, or a clock
    // that stands still until the server's catches up (never backwards). Others are slewed.
    const large = !this.synced || Math.abs(estimate - current) > this.options.stepThresholdMs;
    this.from = large && estimate > current ? estimate : current;
    this.rate = large ? 1 : this.options.slewRate;
    this.target = estimate;
    this.slewStart = t;
    this.synced = true;
    this.syncedAt = t + this.appliedAt(t);
    return true;
  }

  offset(): ClockOffset {
    const t = this.local.now();
    const applied = this.appliedAt(t);
    const bounds = this.synced ? this.estimator.bounds(t) : null;
    return {
      offset_ms: applied,
      error_ms:
        bounds === null
          ? Infinity
          : Math.max(applied - bounds.lo, bounds.hi - applied) + FLOAT_MARGIN_MS,
      rtt_ms: this.estimator.bestRttMs,
      samples: this.estimator.sampleCount,
      synced_at: this.syncedAt,
    };
  }

  /** The offset applied at local time `t`: on its way from `from` to `target`. */
  private appliedAt(t: number): number {
    const moved = Math.max(0, t - this.slewStart) * this.rate;
    const gap = this.target - this.from;
    return Math.abs(gap) <= moved ? this.target : this.from + Math.sign(gap) * moved;
  }
}
