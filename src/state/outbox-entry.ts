import type { Step } from '@synckairos/clock';
import type { AuditEvent } from '../audit/audit.constants';

/**
 * The outbox entry of one committed version, as the compare-and-set appends it to the
 * session's outbox: `<version>|<t>|<length of meta>|<meta><state>`, where meta is the event
 * without its state and `t` the instant the session was put in the outbox index. Sent with a
 * leading `S` when the state is the one the same script writes (Lua appends that text, so it
 * crosses the wire once) and `F` when the entry is whole.
 */
export function outboxEntryOf(event: AuditEvent, t: number, stateIsStored: boolean): string {
  const { state, ...rest } = event;
  const meta = JSON.stringify(rest);
  const head = `${event.version}|${t}|${meta.length}|${meta}`;
  return stateIsStored ? `S${head}` : `F${head}${state}`;
}

export interface OutboxEntry {
  version: number;
  /** The index score its commit set (see OutboxStore.ack). */
  t: number;
  event: AuditEvent;
}

export function parseOutboxEntry(text: string): OutboxEntry {
  const a = text.indexOf('|');
  const b = text.indexOf('|', a + 1);
  const c = text.indexOf('|', b + 1);
  const length = Number(text.slice(b + 1, c));
  const meta = JSON.parse(text.slice(c + 1, c + 1 + length)) as Omit<AuditEvent, 'state'>;
  return {
    version: Number(text.slice(0, a)),
    t: Number(text.slice(a + 1, b)),
    event: { ...meta, state: text.slice(c + 1 + length) },
  };
}

/** The audit event of one step; `stored` is the step's state text when it is at hand. */
export function eventOfStep(sessionId: string, step: Step, stored?: string): AuditEvent {
  const details: Record<string, unknown> = { ...step.details };
  if (step.group_id !== undefined) details.group_id = step.group_id;
  if (step.timeouts.length > 0) details.timeouts = step.timeouts;
  return {
    session_id: sessionId,
    version: step.version,
    event_type: step.type,
    participant_id: step.participant_id,
    occurred_at_ms: step.at,
    details: Object.keys(details).length > 0 ? details : null,
    state: stored ?? JSON.stringify(step.state),
  };
}
