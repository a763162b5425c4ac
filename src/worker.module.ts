import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { LoggingModule } from './common/logging/logging.module';
import { configModule } from './config/config.module-factory';
import { HeadlessBroadcastModule } from './gateway/headless-broadcast.module';
import { WorkerHeartbeat } from './health/worker-heartbeat';
import { MetricsModule } from './metrics/metrics.module';
import { QueueModule } from './queue/queue.module';
import { CommitsModule } from './commits/commits.module';
import { RedisModule } from './redis/redis.module';
import { StateModule } from './state/state.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** The consumers alone, without HTTP: `npm run start:worker`. */
@Module({})
export class WorkerModule {
  static forRoot(env: Record<string, string> = {}): DynamicModule {
    return {
      module: WorkerModule,
      providers: [WorkerHeartbeat],
      imports: [
        configModule(env),
        LoggingModule,
        RedisModule,
        StateModule,
        QueueModule,
        MetricsModule,
        CommitsModule,
        AuditModule,
        DeadlinesModule,
        WebhooksModule,
        HeadlessBroadcastModule,
      ],
    };
  }
}
