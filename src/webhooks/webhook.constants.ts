import type { WebhookEventType } from './webhook-event-types';

export const WEBHOOKS_QUEUE = 'webhooks';
/** The events committed in one turn of the event loop, for the sessions' mailboxes. */
export const WEBHOOK_EVENTS_JOB = 'events';
/** One session's deliverer: sends its mailbox in order, one event at a time. */
export const WEBHOOK_DELIVER_JOB = 'deliver';

/** Each attempt gives up after this long without an answer (contract section 9). */
export const DELIVERY_TIMEOUT_MS = 5000;

/**
 * One event for a session's webhook, as queued. Without `url` it is a marker: the session's
 * `events` leave this type out, and the event only holds its place in the session's order.
 */
export interface WebhookEvent {
  session_id: string;
  version: number;
  type: WebhookEventType;
  occurred_at_ms: number;
  /** The place in the session's order (see orderOf). */
  seq: number;
  /** The `seq` of the event before it, null when none is (the session's first). */
  prev: number | null;
  url?: string;
  /** The stored state right after the event, as JSON text (the view is made when sent). */
  state?: string;
}

export interface WebhookEventsJobData {
  events: WebhookEvent[];
}

export interface WebhookDeliverJobData {
  session_id: string;
}

/**
 * A session's events are sent in version order; a `low_time` warning carries the version that
 * was current and comes after that version's own event.
 */
export function orderOf(version: number, type: WebhookEventType): number {
  return version * 2 + (type === 'low_time' ? 1 : 0);
}

/** The `seq` of the event a new one follows: its version's own event, or the version before. */
export function prevOf(version: number, type: WebhookEventType): number {
  return type === 'low_time' ? orderOf(version, 'session_created') : orderOf(version - 1, type);
}

/** The event's id, and the Idempotency-Key of its deliveries: `<session_id>:<version>:<type>`. */
export function eventIdOf(event: Pick<WebhookEvent, 'session_id' | 'version' | 'type'>): string {
  return `${event.session_id}:${event.version}:${event.type}`;
}
