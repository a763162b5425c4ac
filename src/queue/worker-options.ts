import { WorkerOptions } from 'bullmq';

/**
 * Stall settings of the consumers that must never give a job up (audit, webhooks). BullMQ's
 * defaults fail a job whose worker died twice (`maxStalledCount: 1`) and notice a dead worker
 * only after its 30 s lock and a 30 s check: here a dead worker's jobs are back in the queue
 * within lockDuration + stalledInterval (at most 6 s), however many times it happens. A live
 * worker renews its locks every lockDuration / 2, so only an event loop blocked for 2 s makes
 * a false stall, and every consumer here is idempotent.
 */
export const NEVER_GIVE_UP_WORKER_OPTIONS = {
  lockDuration: 4000,
  stalledInterval: 2000,
  maxStalledCount: Number.MAX_SAFE_INTEGER,
} as const satisfies Partial<WorkerOptions>;
