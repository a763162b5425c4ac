/** One round trip of a time request: local instants around it and the server's answer. */
export interface TimeSample {
  /** Local clock just before the request was sent. */
  sent_at: number;
  /** Local clock when the answer arrived. */
  received_at: number;
  /** The server's clock (integer epoch ms) while it answered. */
  server_time_ms: number;
}

export interface OffsetBounds {
  /** Smallest and largest offset (server minus local) consistent with every sample kept. */
  lo: number;
  hi: number;
}

export interface EstimatorOptions {
  /** How fast the two clocks may drift apart, in parts per million. */
  maxDriftPpm: number;
  /** Samples kept from each sync round: those with the shortest round trips. */
  keepPerRound: number;
  /** Rounds kept: older samples still bound the offset, widened by the drift since. */
  rounds: number;
  /** Resolution of the local clock (browsers coarsen performance.now()). */
  resolutionMs: number;
}

/**
 * NTP-style offset estimation with an honest bound. The server answered at some instant
 * between sending and receiving, so each sample bounds the offset to an interval whatever the
 * split of the round trip; intersecting the intervals (each widened by the drift since it was
 * taken) gives the tightest bound, and its midpoint is the estimate.
 */
export class OffsetEstimator {
  private kept: TimeSample[][] = [];

  constructor(private readonly options: EstimatorOptions) {}

  /** Adds a round of samples; returns false when none was usable. */
  addRound(samples: TimeSample[], now: number): boolean {
    const usable = samples.filter((s) => s.received_at >= s.sent_at);
    if (usable.length === 0) return false;
    const best = [...usable]
      .sort((a, b) => rtt(a) - rtt(b))
      .slice(0, Math.max(1, this.options.keepPerRound));
    this.kept = [best, ...this.kept].slice(0, Math.max(1, this.options.rounds));
    // Samples that contradict the newest round (a clock was stepped, a machine slept) go.
    while (this.kept.length > 1 && this.bounds(now) === null) this.kept.pop();
    if (this.bounds(now) === null) this.kept = [[best[0]]];
    return true;
  }

  get sampleCount(): number {
    return this.kept.reduce((n, round) => n + round.length, 0);
  }

  get bestRttMs(): number | null {
    const all = this.kept.flat();
    return all.length === 0 ? null : Math.min(...all.map(rtt));
  }

  /** The interval the true offset lies in at local time `now`; null before any sample. */
  bounds(now: number): OffsetBounds | null {
    const all = this.kept.flat();
    if (all.length === 0) return null;
    let lo = -Infinity;
    let hi = Infinity;
    for (const s of all) {
      const one = this.sampleBounds(s, now);
      lo = Math.max(lo, one.lo);
      hi = Math.min(hi, one.hi);
    }
    return lo <= hi ? { lo, hi } : null;
  }

  /** The midpoint of the bounds at `now`: the estimate with the smallest worst-case error. */
  estimate(now: number): number | null {
    const b = this.bounds(now);
    return b === null ? null : (b.lo + b.hi) / 2;
  }

  private sampleBounds(s: TimeSample, now: number): OffsetBounds {
    const { resolutionMs, maxDriftPpm } = this.options;
    const drift = (Math.max(0, now - s.sent_at) * maxDriftPpm) / 1e6;
    // The server's integer ms stands for any instant in [S, S + 1).
    return {
      lo: s.server_time_ms - s.received_at - resolutionMs - drift,
      hi: s.server_time_ms + 1 - s.sent_at + resolutionMs + drift,
    };
  }
}

const rtt = (s: TimeSample): number => s.received_at - s.sent_at;
