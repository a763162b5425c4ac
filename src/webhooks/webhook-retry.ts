/** A failed event is tried again for at least this long after its first attempt. */
export const RETRY_WINDOW_MS = 24 * 3_600_000;
/** The wait between two attempts doubles up to this. */
export const RETRY_DELAY_CAP_MS = 3_600_000;

/**
 * The wait after failed attempt `attempt` (1 is the first): base, 2 × base, 4 × base … capped
 * at an hour, so that a receiver that comes back after a long outage is not left waiting for
 * as long again.
 */
export function retryDelayMs(attempt: number, baseMs: number): number {
  const doublings = Math.min(Math.max(0, attempt - 1), 40);
  return Math.min(baseMs * 2 ** doublings, RETRY_DELAY_CAP_MS);
}

/**
 * When to try again after attempt `attempt` failed at `now`, or null to give up: an event is
 * given up at its first failure 24 h or more after its first attempt, never before.
 */
export function nextTryAt(
  attempt: number,
  firstAttemptAt: number,
  now: number,
  baseMs: number,
): number | null {
  if (now - firstAttemptAt >= RETRY_WINDOW_MS) return null;
  return now + retryDelayMs(attempt, baseMs);
}
