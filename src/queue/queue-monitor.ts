import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { AUDIT_QUEUE } from '../audit/audit.constants';
import { withTimeout } from '../common/time/with-timeout';
import { DEADLINES_QUEUE } from '../deadlines/deadline.constants';
import { METRICS } from '../metrics/metric-names';
import { ScrapeHooks } from '../metrics/scrape-hooks';

export type QueueCounts = Record<'waiting' | 'active' | 'delayed' | 'failed', number>;
const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Depth and failures of each queue: for /metrics and /health/details. */
@Injectable()
export class QueueMonitor implements OnModuleInit {
  private readonly queues: Queue[];

  constructor(
    @InjectQueue(AUDIT_QUEUE) audit: Queue,
    @InjectQueue(DEADLINES_QUEUE) deadlines: Queue,
    private readonly hooks: ScrapeHooks,
    @InjectMetric(METRICS.queueJobs) private readonly gauge: Gauge<'queue' | 'state'>,
  ) {
    this.queues = [audit, deadlines];
  }

  onModuleInit(): void {
    this.hooks.register(async () => {
      for (const [queue, counts] of Object.entries(await this.counts())) {
        for (const state of STATES) this.gauge.set({ queue, state }, counts[state]);
      }
    });
  }

  async counts(timeoutMs = 500): Promise<Record<string, QueueCounts>> {
    const entries = await Promise.all(
      this.queues.map(async (q) => {
        const counts = await withTimeout(q.getJobCounts(...STATES), timeoutMs);
        return [q.name, counts as QueueCounts] as const;
      }),
    );
    return Object.fromEntries(entries);
  }
}
