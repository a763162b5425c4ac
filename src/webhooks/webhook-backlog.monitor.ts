import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { TimeSource } from '../common/time/time-source';
import { withTimeout } from '../common/time/with-timeout';
import { METRICS } from '../metrics/metric-names';
import { ScrapeHooks } from '../metrics/scrape-hooks';
import { WebhookMailbox } from './webhook-mailbox';

/**
 * The age of the oldest webhook event not yet delivered or given up, read at each scrape: a
 * number that grows while a receiver is down or no worker delivers.
 */
@Injectable()
export class WebhookBacklogMonitor implements OnModuleInit {
  constructor(
    private readonly mailbox: WebhookMailbox,
    private readonly hooks: ScrapeHooks,
    private readonly time: TimeSource,
    @InjectMetric(METRICS.webhookOldestPending) private readonly oldest: Gauge,
  ) {}

  onModuleInit(): void {
    this.hooks.register(async () => {
      const at = await withTimeout(this.mailbox.oldestPending(), 500);
      this.oldest.set(at === null ? 0 : Math.max(0, this.time.now() - at) / 1000);
    });
  }
}
