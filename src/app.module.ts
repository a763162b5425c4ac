import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { DemoModule } from './demo/demo.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { BodyValidationPipe } from './common/pipes/body-validation.pipe';
import { LoggingModule } from './common/logging/logging.module';
import { configModule } from './config/config.module-factory';
import { GatewayModule } from './gateway/gateway.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueModule } from './queue/queue.module';
import { SessionsApiModule } from './sessions/sessions-api.module';
import { RedisModule } from './redis/redis.module';
import { StateModule } from './state/state.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { TimeModule } from './time/time.module';

@Module({})
export class AppModule {
  /** The API application; `env` overrides variables for this instance only. */
  static forRoot(env: Record<string, string> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule(env),
        LoggingModule,
        RedisModule,
        StateModule,
        QueueModule,
        MetricsModule,
        AuthModule,
        RateLimitModule,
        SessionsApiModule,
        AuditModule,
        GatewayModule,
        DeadlinesModule,
        WebhooksModule,
        TimeModule,
        HealthModule,
        AdminModule,
        DemoModule,
      ],
      providers: [
        { provide: APP_PIPE, useClass: BodyValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
