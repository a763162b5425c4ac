import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module';
import { AUDIT_QUEUE } from './audit.constants';
import { AuditArchive } from './audit-archive';
import { AuditBacklog } from './audit-backlog';
import { AuditBacklogMonitor } from './audit-backlog.monitor';
import { AuditDatabase } from './audit-database';
import { AuditEventsController } from './audit-events.controller';
import { AuditProducer } from './audit-producer';
import { AuditReaper } from './audit-reaper';
import { AuditRecorder } from './audit-recorder';
import { AuditTrailService } from './audit-trail.service';
import { AuditWorkerLifecycle } from './audit-worker.lifecycle';
import { AuditWriter } from './audit-writer';
import { OutboxRelay } from './outbox-relay';
import { AuditProcessor } from './audit.processor';
import { RedisModule } from '../redis/redis.module';
import { StateModule } from '../state/state.module';
import { MetricsModule } from '../metrics/metrics.module';

/**
 * The audit trail: a producer on the state path, a BullMQ consumer that writes PostgreSQL off
 * the request path, the events endpoint, and the archive that refills Redis.
 */
@Module({
  imports: [
    MetricsModule,
    StateModule,
    RedisModule,
    BullModule.registerQueue({ name: AUDIT_QUEUE }),
    QueueModule,
  ],
  controllers: [AuditEventsController],
  providers: [
    AuditDatabase,
    AuditProducer,
    AuditWriter,
    AuditRecorder,
    AuditProcessor,
    AuditReaper,
    AuditWorkerLifecycle,
    AuditBacklogMonitor,
    AuditTrailService,
    AuditArchive,
    OutboxRelay,
    AuditBacklog,
  ],
  exports: [AuditDatabase, AuditArchive, AuditBacklog, AuditProducer, OutboxRelay, BullModule],
})
export class AuditModule {}
