import { OffsetEstimate } from './offset-estimate';

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
  offsetMs: number | null;
  boundMs: number | null;
  ageMs: number | null;
}

/**
 * How fast two NTP-disciplined clocks may drift apart (500 ppm is the most NTP slews one): the
 * error of a measurement grows by this much per millisecond of its age.
 */
export const DRIFT_PER_MS = 500e-6;

/**
 * Corrected, the clock is off Redis by at most the measurement's error plus the drift since;
 * uncorrected, by the offset itself on top of that. Beyond the policy's bound, or without a
 * fresh measurement, it cannot be trusted to time a command.
 */
export function assessClock(
  estimate: OffsetEstimate | null,
  localNow: number,
  policy: ClockPolicy,
): ClockStatus {
  const correcting = policy.correct;
  if (!estimate)
    return untrusted('Redis time has not been measured yet', correcting, null, null, null);
  const ageMs = Math.max(0, localNow - estimate.measuredAt);
  const drift = estimate.errorMs + ageMs * DRIFT_PER_MS;
  const boundMs = correcting ? drift : Math.abs(estimate.offsetMs) + drift;
  const offsetMs = estimate.offsetMs;
  if (ageMs > policy.staleAfterMs) {
    const reason = `Redis time not measured for ${Math.round(ageMs / 1000)} s`;
    return untrusted(reason, correcting, offsetMs, boundMs, ageMs);
  }
  if (boundMs > policy.maxSkewMs) {
    const reason = correcting
      ? `the clock's offset to Redis is known within ±${Math.ceil(boundMs)} ms only (MAX_CLOCK_SKEW_MS ${policy.maxSkewMs})`
      : `the clock is ${Math.round(offsetMs)} ms off Redis time, uncorrected (MAX_CLOCK_SKEW_MS ${policy.maxSkewMs})`;
    return untrusted(reason, correcting, offsetMs, boundMs, ageMs);
  }
  return { trusted: true, correcting, offsetMs, boundMs, ageMs };
}

function untrusted(
  reason: string,
  correcting: boolean,
  offsetMs: number | null,
  boundMs: number | null,
  ageMs: number | null,
): ClockStatus {
  return { trusted: false, reason, correcting, offsetMs, boundMs, ageMs };
}
