import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { METRIC_PROVIDERS } from './metric-providers';
import { ScrapeHooks } from './scrape-hooks';

/** Prometheus text at GET /metrics, with Node's default metrics and the service's own. */
@Global()
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true },
    }),
  ],
  providers: [...METRIC_PROVIDERS, HttpMetricsMiddleware, ScrapeHooks],
  exports: [...METRIC_PROVIDERS, ScrapeHooks],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
