import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QueueModule } from '../queue/queue.module';
import { WEBHOOKS_QUEUE } from './webhook.constants';
import { WebhookBacklogMonitor } from './webhook-backlog.monitor';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookDeliveryLog } from './webhook-delivery-log';
import { WebhookIntake } from './webhook-intake';
import { WebhookMailbox } from './webhook-mailbox';
import { WebhookProducer } from './webhook-producer';
import { webhookRedisProvider } from './webhook-redis.provider';
import { WebhookSender } from './webhook-sender';
import { WebhookSettings } from './webhook-settings';
import { WebhookWorkerLifecycle } from './webhook-worker.lifecycle';
import { WebhookProcessor } from './webhook.processor';
import { RedisModule } from '../redis/redis.module';
import { StateModule } from '../state/state.module';
import { MetricsModule } from '../metrics/metrics.module';

/**
 * Signed webhooks (contract section 9): a producer on the commit path, a BullMQ consumer that
 * keeps one mailbox per session and delivers it in order, and the attempts endpoint.
 */
@Module({
  imports: [
    MetricsModule,
    StateModule,
    RedisModule,
    BullModule.registerQueue({ name: WEBHOOKS_QUEUE }),
    QueueModule,
    AuditModule,
  ],
  controllers: [WebhookDeliveriesController],
  providers: [
    webhookRedisProvider,
    WebhookSettings,
    WebhookProducer,
    WebhookMailbox,
    WebhookIntake,
    WebhookSender,
    WebhookDeliveryLog,
    WebhookDeliverer,
    WebhookProcessor,
    WebhookWorkerLifecycle,
    WebhookBacklogMonitor,
  ],
  exports: [WebhookProducer, BullModule],
})
export class WebhooksModule {}
