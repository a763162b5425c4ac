import { Step } from '@synckairos/clock';
import { ArchivedDeletion } from '../state/session-archive';
import { SessionChange } from '../state/session-change';
import { eventOfStep } from '../state/outbox-entry';
import { AuditEvent } from './audit.constants';

/** One event per version the change committed, oldest first. */
export function auditEventsOf(change: SessionChange): AuditEvent[] {
  return change.steps.map((step) => fromStep(change, step));
}

function fromStep(change: SessionChange, step: Step): AuditEvent {
  // The newest step's state is the one just written: its text is already made.
  const stored = step.version === change.after.version ? change.stored : undefined;
  return eventOfStep(change.sessionId, step, stored);
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
