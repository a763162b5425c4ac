import { parseAllowedHosts } from '../webhooks/allowed-hosts';
import { isWebhookEventType } from '../webhooks/webhook-event-types';

interface WebhookEnv {
  WEBHOOK_URL: string;
  WEBHOOK_EVENTS: string;
  WEBHOOK_SECRET: string;
  WEBHOOK_ALLOWED_HOSTS: string;
}

/** A comma-separated list of the environment, without blanks. */
export function envList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * The webhook variables, checked together. The default URL's address is checked at each
 * delivery, like every webhook's (DNS may change); here only its form. No message shows the
 * secret.
 */
export function webhookProblems(env: WebhookEnv): string[] {
  const problems: string[] = [];
  if (env.WEBHOOK_URL !== '') {
    if (!isHttpUrl(env.WEBHOOK_URL))
      problems.push('WEBHOOK_URL must be an http:// or https:// URL without credentials');
    if (env.WEBHOOK_SECRET === '') problems.push('WEBHOOK_SECRET is required with WEBHOOK_URL');
  }
  const unknown = envList(env.WEBHOOK_EVENTS).filter((name) => !isWebhookEventType(name));
  if (unknown.length > 0)
    problems.push(`WEBHOOK_EVENTS: unknown event type(s) ${unknown.join(', ')}`);
  try {
    parseAllowedHosts(env.WEBHOOK_ALLOWED_HOSTS);
  } catch (err) {
    problems.push(`WEBHOOK_ALLOWED_HOSTS: ${(err as Error).message}`);
  }
  return problems;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}
