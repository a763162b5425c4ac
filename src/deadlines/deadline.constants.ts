export const DEADLINES_QUEUE = 'deadlines';
export const DEADLINE_JOB = 'deadline';

/** A durable deadline job as versions before the DeadlineStore queued it (drained only). */
export interface DeadlineJobData {
  session_id: string;
  /** The version whose clock this deadline was armed for (older versions make it stale). */
  version: number;
  /** The exact instant that clock runs out. */
  due_ms: number;
}

/**
 * Injection token of the connection the deadline poller claims on: background work of its own,
 * off the request path's connections, that waits through a Redis outage like a queue worker.
 */
export const DEADLINE_POLL_REDIS_CLIENT = Symbol('DEADLINE_POLL_REDIS_CLIENT');
