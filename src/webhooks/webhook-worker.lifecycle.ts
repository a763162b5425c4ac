import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';
import { startConsumer, stopConsumer } from '../queue/consumer';
import { WebhookProcessor } from './webhook.processor';

/**
 * Starts delivering webhooks in this process, unless WEBHOOK_WORKER=false. On shutdown the
 * attempts in flight finish (each within its 5 s timeout) before Redis closes.
 */
@Injectable()
export class WebhookWorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookWorkerLifecycle.name);

  constructor(
    private readonly processor: WebhookProcessor,
    private readonly config: ConfigService<Env, true>,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.get('WEBHOOK_WORKER', { infer: true })) {
      this.logger.log('WEBHOOK_WORKER=false: this instance only queues webhook events');
      return;
    }
    startConsumer(
      this.processor.worker,
      this.config.get('WEBHOOK_CONCURRENCY', { infer: true }),
      this.logger,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await stopConsumer(this.processor.worker, this.logger);
  }
}
