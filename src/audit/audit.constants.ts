import type { ClockState, EventType } from '@synckairos/clock';

export const AUDIT_QUEUE = 'audit';
export const AUDIT_JOB = 'state-changes';

/**
 * One state change to record. The audit trail derives the public snapshot from `state` when
 * it is read.
 */
export interface AuditEvent {
  session_id: string;
  version: number;
  event_type: EventType;
  participant_id: string | null;
  occurred_at_ms: number;
  /** Extra facts of the change (group, time-outs, next participant…), kept as event metadata. */
  details: Record<string, unknown> | null;
  /**
   * The stored state right after the change, as JSON text: mostly the very text the
   * compare-and-set wrote, which the worker splices into its statement without parsing it.
   */
  state: string;
}

/** An event as queued: jobs from before an upgrade carry the state as an object. */
export type QueuedAuditEvent = Omit<AuditEvent, 'state'> & { state: string | ClockState };

/**
 * One audit job: the changes committed in one turn of the event loop, in commit order. A job
 * of the earlier one-event-per-job shape (queued before an upgrade) is still understood.
 */
export type AuditJobData = { events: QueuedAuditEvent[] } | QueuedAuditEvent;

/** How logs and errors name events: `game-42 v7, game-43 v2`. */
export function describeEvents(events: AuditEvent[]): string {
  return events.map((e) => `${e.session_id} v${e.version}`).join(', ');
}

export function eventsOf(data: AuditJobData): AuditEvent[] {
  const events = 'events' in data ? data.events : [data];
  return events.map((e) =>
    typeof e.state === 'string' ? (e as AuditEvent) : { ...e, state: JSON.stringify(e.state) },
  );
}
