import { Injectable, PipeTransform } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DomainError } from '../common/errors/domain-error';
import { Env } from '../config/env.validation';
import { WebhookTargetRefused } from './ssrf-guard';
import { WebhookSettings } from './webhook-settings';

/**
 * Checks a new session's webhook where it needs the configuration and DNS (after the DTO's
 * rules): the URL's scheme and host and every address it resolves to (section 9). A name that
 * does not exist or an address not allowed is a 400 on `webhook.url`; a resolver that does not
 * answer, a 503 (try again). Each delivery checks the address again.
 */
@Injectable()
export class WebhookTargetPipe implements PipeTransform<unknown, Promise<unknown>> {
  private readonly settings: WebhookSettings;

  constructor(config: ConfigService<Env, true>) {
    this.settings = new WebhookSettings(config);
  }

  async transform(body: unknown): Promise<unknown> {
    const webhook = (body as { webhook?: { url: string } } | null)?.webhook;
    if (webhook === undefined) return body;
    if (!this.settings.enabled)
      throw DomainError.invalidField(
        'webhook',
        'is not available: the server has no WEBHOOK_SECRET',
      );
    try {
      await this.settings.guard.check(webhook.url);
    } catch (err) {
      if (!(err instanceof WebhookTargetRefused)) throw err;
      if (err.kind === 'dns') throw new DomainError('UNAVAILABLE', `webhook.url: ${err.message}`);
      throw DomainError.invalidField('webhook.url', err.message);
    }
    return body;
  }
}
