import { ClockState, toView } from '@synckairos/clock';
import { eventIdOf, WebhookEvent } from './webhook.constants';

/**
 * The body POSTed for an event: `{ id, session_id, version, type, occurred_at_ms, state }`,
 * where `state` is the section 2 view of the session at the event's instant (the same
 * snapshot the audit trail shows). The same event always makes the same body.
 */
export function webhookBody(event: WebhookEvent): string {
  if (event.state === undefined)
    throw new Error(`${eventIdOf(event)} is a marker: nothing to send`);
  const state = toView(JSON.parse(event.state) as ClockState, event.occurred_at_ms);
  return JSON.stringify({
    id: eventIdOf(event),
    session_id: event.session_id,
    version: event.version,
    type: event.type,
    occurred_at_ms: event.occurred_at_ms,
    state,
  });
}
