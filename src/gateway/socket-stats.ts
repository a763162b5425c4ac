import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { METRICS } from '../metrics/metric-names';
import { ScrapeHooks } from '../metrics/scrape-hooks';

/** How many Socket.IO connections this instance holds: for health details and metrics. */
@Injectable()
export class SocketStats implements OnModuleInit {
  private count: () => number = () => 0;

  constructor(
    private readonly hooks: ScrapeHooks,
    @InjectMetric(METRICS.socketConnections) private readonly gauge: Gauge,
  ) {}

  onModuleInit(): void {
    this.hooks.register(() => this.gauge.set(this.count()));
  }

  /** The gateway hands in how to count once its server exists. */
  countWith(count: () => number): void {
    this.count = count;
  }

  connections(): number {
    return this.count();
  }
}
