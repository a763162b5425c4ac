import { JobsOptions } from 'bullmq';

/** Backoff for failures that are neither an outage nor bad data: doubling, capped. */
export const AUDIT_BACKOFF_CAP_MS = 30_000;
export const AUDIT_ATTEMPTS = 60;

export const AUDIT_JOB_OPTIONS: JobsOptions = {
  attempts: AUDIT_ATTEMPTS,
  backoff: { type: 'capped-exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
};

/**
 * The delay before retry `attemptsMade`: 1 s, 2 s, 4 s … up to 30 s, so that 60 attempts span
 * about 28 minutes. (A PostgreSQL outage does not spend attempts at all: the processor pauses
 * the queue instead; see AuditProcessor.)
 */
export function cappedExponentialBackoff(attemptsMade: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), AUDIT_BACKOFF_CAP_MS);
}
