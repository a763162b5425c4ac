export const DEADLINES_QUEUE = 'deadlines';
export const DEADLINE_JOB = 'deadline';

/** A durable deadline: settle this session once its clock may have run out. */
export interface DeadlineJobData {
  session_id: string;
  /** The version whose clock this deadline was armed for (older versions make it stale). */
  version: number;
  /** The exact instant that clock runs out. */
  due_ms: number;
}

/** One job per version and instant: a version wakes up more than once (a low-time warning). */
export function deadlineJobId(sessionId: string, version: number, dueMs: number): string {
  return `${sessionId}@${version}@${dueMs}`;
}
