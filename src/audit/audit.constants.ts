import type { ClockState, EventType } from '../clock/clock.types';

export const AUDIT_QUEUE = 'audit';
export const AUDIT_JOB = 'state-changes';

/** One state change to record. The worker derives the public snapshot from `state`. */
export interface AuditEvent {
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

/**
 * One audit job: the changes committed in one turn of the event loop, in commit order. A job
 * of the earlier one-event-per-job shape (queued before an upgrade) is still understood.
 */
export type AuditJobData = { events: AuditEvent[] } | AuditEvent;

export function eventsOf(data: AuditJobData): AuditEvent[] {
  return 'events' in data ? data.events : [data];
}
