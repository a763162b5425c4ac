import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuditModule } from '../audit/audit.module';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { GatewayModule } from '../gateway/gateway.module';
import { QueueMonitor } from '../queue/queue-monitor';
import { ClockHealthIndicator } from './clock.health';
import { GracefulShutdown } from './graceful-shutdown';
import { HealthController } from './health.controller';
import { PostgresHealthIndicator } from './postgres.health';
import { RedisHealthIndicator } from './redis.health';
import { ShutdownState } from './shutdown-state';
import { RedisModule } from '../redis/redis.module';
import { StateModule } from '../state/state.module';
import { MetricsModule } from '../metrics/metrics.module';

/** Probes for Kubernetes (/health, /ready) and a report for humans (/health/details). */
@Module({
  imports: [
    MetricsModule,
    StateModule,
    RedisModule,
    TerminusModule.forRoot({ logger: false }),
    AuditModule,
    DeadlinesModule,
    GatewayModule,
  ],
  controllers: [HealthController],
  providers: [
    RedisHealthIndicator,
    PostgresHealthIndicator,
    ClockHealthIndicator,
    QueueMonitor,
    ShutdownState,
    GracefulShutdown,
  ],
  exports: [ShutdownState],
})
export class HealthModule {}
