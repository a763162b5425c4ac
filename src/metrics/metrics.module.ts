import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { METRIC_PROVIDERS } from './metric-providers';
import { ScrapeHooks } from './scrape-hooks';

/**
 * Prometheus text at GET /metrics, with Node's default metrics and the service's own. The HTTP
 * metrics are recorded by the pipeline head (app.setup.ts) through HttpMetrics. Global only
 * because PrometheusModule builds the /metrics controller in its own module, which must see
 * ScrapeHooks; the modules that record metrics import this one all the same.
 */
@Global()
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true },
    }),
  ],
  providers: [...METRIC_PROVIDERS, HttpMetrics, ScrapeHooks],
  exports: [...METRIC_PROVIDERS, HttpMetrics, ScrapeHooks],
})
export class MetricsModule {}
