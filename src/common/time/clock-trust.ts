import { DRIFT_PER_MS, OffsetEstimate } from './offset-estimate';

/** What this instance accepts of its clock (MAX_CLOCK_SKEW_MS, CLOCK_CORRECTION). */
export interface ClockPolicy {
  maxSkewMs: number;
  correct: boolean;
  /** A measurement older than this no longer counts: Redis' time has not been seen since. */
  staleAfterMs: number;
}

/** How far the clock this instance serves may be from Redis' now, and whether that is enough. */
export interface ClockStatus {
  trusted: boolean;
  /** Why not, for logs, readiness and the 503's message. */
  reason?: string;
  correcting: boolean;
  /** Redis' clock minus the host's, as measured (the middle of its bound). */
  offsetMs: number | null;
  /** What is added to the host's clock. */
  correctionMs: number;
  boundMs: number | null;
  ageMs: number | null;
}

/**
 * The smallest correction the measurement proves: the value of its bound nearest to zero. A
 * host already in step with Redis is left alone (its clock never jitters with each new
 * measurement), a skewed one is brought to the edge of the bound.
 */
export function correctionOf(estimate: OffsetEstimate | null, correct: boolean): number {
  if (!estimate || !correct) return 0;
  const { offsetMs, errorMs } = estimate;
  return Math.min(Math.max(0, offsetMs - errorMs), offsetMs + errorMs);
}

/**
 * The served clock is off Redis by at most its distance to the far end of the measurement's
 * bound, plus the drift since (uncorrected, the whole offset stands on top of that). Beyond the policy's bound, or without a
 * fresh measurement, it cannot be trusted to time a command.
 */
export function assessClock(
  estimate: OffsetEstimate | null,
  localNow: number,
  policy: ClockPolicy,
): ClockStatus {
  const correcting = policy.correct;
  if (!estimate) {
    const reason = 'Redis time has not been measured yet';
    return {
      trusted: false,
      reason,
      correcting,
      offsetMs: null,
      correctionMs: 0,
      boundMs: null,
      ageMs: null,
    };
  }
  const ageMs = Math.max(0, localNow - estimate.measuredAt);
  const offsetMs = estimate.offsetMs;
  const correctionMs = correctionOf(estimate, correcting);
  const boundMs = Math.abs(offsetMs - correctionMs) + estimate.errorMs + ageMs * DRIFT_PER_MS;
  const known = { correcting, offsetMs, correctionMs, boundMs, ageMs };
  if (ageMs > policy.staleAfterMs)
    return {
      trusted: false,
      reason: `Redis time not measured for ${Math.round(ageMs / 1000)} s`,
      ...known,
    };
  if (boundMs > policy.maxSkewMs) {
    const reason = correcting
      ? `the clock may be ${Math.ceil(boundMs)} ms off Redis time, its offset being measured to ±${Math.ceil(estimate.errorMs)} ms only (MAX_CLOCK_SKEW_MS ${policy.maxSkewMs})`
      : `the clock is ${describeOffset(offsetMs)} Redis time, uncorrected (MAX_CLOCK_SKEW_MS ${policy.maxSkewMs})`;
    return { trusted: false, reason, ...known };
  }
  return { trusted: true, ...known };
}

/** Redis' clock minus this one, said the way round an operator reads it. */
export function describeOffset(offsetMs: number): string {
  return `${Math.round(Math.abs(offsetMs))} ms ${offsetMs > 0 ? 'behind' : 'ahead of'}`;
}
