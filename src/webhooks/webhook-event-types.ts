import { EVENT_TYPES, EventType } from '@synckairos/clock';

/** What a webhook can be told (contract section 9): section 6's events, and two of its own. */
export type WebhookEventType = EventType | 'session_scheduled' | 'low_time';

/**
 * Every name `webhook.events` may list. `session_scheduled` (a start scheduled for later) and
 * `low_time` (a running clock crossed `low_time_ms`) are reserved here before their producers
 * exist, so that a session created today may already ask for them.
 */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = [
  ...new Set<WebhookEventType>([...EVENT_TYPES, 'session_scheduled', 'low_time']),
];

export function isWebhookEventType(name: string): name is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(name);
}
