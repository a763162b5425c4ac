import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { withTimeout } from '../common/time/with-timeout';
import { METRICS } from '../metrics/metric-names';
import { ScrapeHooks } from '../metrics/scrape-hooks';
import { DeadlineStore } from './deadline-store';

/** The number of durable deadline entries, read at each scrape: one per running session. */
@Injectable()
export class DeadlineEntriesMonitor implements OnModuleInit {
  constructor(
    private readonly store: DeadlineStore,
    private readonly hooks: ScrapeHooks,
    @InjectMetric(METRICS.deadlineEntries) private readonly entries: Gauge,
  ) {}

  onModuleInit(): void {
    this.hooks.register(async () => {
      this.entries.set(await withTimeout(this.store.size(), 500));
    });
  }
}
