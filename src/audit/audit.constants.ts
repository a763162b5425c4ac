import type { ClockState, EventType } from '../clock/clock.types';

export const AUDIT_QUEUE = 'audit';
export const AUDIT_JOB = 'state-change';

/** One state change to record. The worker derives the public snapshot from `state`. */
export interface AuditJobData {
  session_id: string;
  version: number;
  event_type: EventType;
  participant_id: string | null;
  occurred_at_ms: number;
  /** Extra facts of the change (group, time-outs, next participant…), kept as event metadata. */
  details: Record<string, unknown> | null;
  /** The stored state right after the change. */
  state: ClockState;
}

/** Retrying the enqueue of the same change is a no-op: the id names the version. */
export function auditJobId(sessionId: string, version: number): string {
  return `${sessionId}@${version}`;
}
