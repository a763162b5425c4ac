import { Step } from '@synckairos/clock';
import { ArchivedDeletion } from '../sessions/session-archive';
import { SessionChange } from '../sessions/session-change';
import { AuditEvent } from './audit.constants';

/** One event per version the change committed, oldest first. */
export function auditEventsOf(change: SessionChange): AuditEvent[] {
  return change.steps.map((step) => fromStep(change, step));
}

function fromStep(change: SessionChange, step: Step): AuditEvent {
  const details: Record<string, unknown> = { ...step.details };
  if (step.group_id !== undefined) details.group_id = step.group_id;
  if (step.timeouts.length > 0) details.timeouts = step.timeouts;
  // The newest step's state is the one just written: its text is already made.
  const stored = step.version === change.after.version ? change.stored : undefined;
  return {
    session_id: change.sessionId,
    version: step.version,
    event_type: step.type,
    participant_id: step.participant_id,
    occurred_at_ms: step.at,
    details: Object.keys(details).length > 0 ? details : null,
    state: stored ?? JSON.stringify(step.state),
  };
}

export function deletionEventOf(deletion: ArchivedDeletion): AuditEvent {
  return {
    session_id: deletion.sessionId,
    version: deletion.version,
    event_type: 'session_deleted',
    participant_id: null,
    occurred_at_ms: deletion.now,
    details: null,
    state: JSON.stringify(deletion.last),
  };
}
