import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SessionWebhook } from '@synckairos/clock';
import { Env } from '../config/env.validation';
import { envList } from '../config/webhook-env';
import { parseAllowedHosts } from './allowed-hosts';
import { SsrfGuard } from './ssrf-guard';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-types';

/** The webhook configuration, parsed once (env.validation has already checked it). */
@Injectable()
export class WebhookSettings {
  /** WEBHOOK_URL and WEBHOOK_EVENTS, or null when there is no default. */
  readonly defaultTarget: SessionWebhook | null;
  readonly retryBaseMs: number;
  readonly guard: SsrfGuard;
  private readonly secret: string;

  constructor(config: ConfigService<Env, true>) {
    const url = config.get('WEBHOOK_URL', { infer: true });
    const events = envList(config.get('WEBHOOK_EVENTS', { infer: true }));
    this.defaultTarget =
      url === '' ? null : { url, events: events.length > 0 ? events : [...WEBHOOK_EVENT_TYPES] };
    this.retryBaseMs = config.get('WEBHOOK_RETRY_BASE_MS', { infer: true });
    this.guard = new SsrfGuard(
      parseAllowedHosts(config.get('WEBHOOK_ALLOWED_HOSTS', { infer: true })),
    );
    this.secret = config.get('WEBHOOK_SECRET', { infer: true });
  }

  /** Webhooks can be signed, so sessions may have them. */
  get enabled(): boolean {
    return this.secret !== '';
  }

  /** The signing key; kept out of logs and error messages. */
  signingSecret(): string {
    return this.secret;
  }
}
