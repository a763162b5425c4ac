import { EVENT_TYPES, EventType } from '@synckairos/clock';

/**
 * What a webhook can be told (contract section 9): section 6's events (`session_scheduled`
 * among them), and `low_time`, a warning that is no version of its own.
 */
export type WebhookEventType = EventType | 'low_time';

/** Every name `webhook.events` may list. */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = [...EVENT_TYPES, 'low_time'];

export function isWebhookEventType(name: string): name is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(name);
}
