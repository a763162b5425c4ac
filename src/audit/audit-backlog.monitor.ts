import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { TimeSource } from '../common/time/time-source';
import { withTimeout } from '../common/time/with-timeout';
import { METRICS } from '../metrics/metric-names';
import { ScrapeHooks } from '../metrics/scrape-hooks';
import { AUDIT_QUEUE, AuditJobData } from './audit.constants';

/** Ids read from the oldest end of each state: the oldest job is among them. */
const SAMPLE = 100;
const UNWRITTEN = ['active', 'wait', 'paused', 'prioritized', 'delayed'] as const;

/**
 * The age of the oldest audit event not yet written to PostgreSQL, read at each scrape: it grows
 * while PostgreSQL is away or no worker consumes. Audit jobs take BullMQ's increasing ids, so the
 * oldest is the smallest id among the jobs still to write; those are at the oldest end of each
 * state (a retried job keeps its id and its creation time). Failed jobs are left out: the reaper
 * puts them back, and `synckairos_queue_jobs{state="failed"}` counts them.
 */
@Injectable()
export class AuditBacklogMonitor implements OnModuleInit {
  constructor(
    @InjectQueue(AUDIT_QUEUE) private readonly queue: Queue<AuditJobData>,
    private readonly hooks: ScrapeHooks,
    private readonly time: TimeSource,
    @InjectMetric(METRICS.auditOldestUnwritten) private readonly oldest: Gauge,
  ) {}

  onModuleInit(): void {
    this.hooks.register(async () => {
      const at = await withTimeout(this.oldestUnwritten(), 500);
      this.oldest.set(at === null ? 0 : Math.max(0, this.time.now() - at) / 1000);
    });
  }

  /** When the oldest unwritten job was queued (epoch ms), or null when none waits. */
  async oldestUnwritten(): Promise<number | null> {
    const ids = await this.queue.getRanges([...UNWRITTEN], 0, SAMPLE - 1, true);
    const oldestFirst = ids
      .map(Number)
      .filter(Number.isSafeInteger)
      .sort((a, b) => a - b);
    // The oldest may be written meanwhile: then the next one is.
    for (const id of oldestFirst.slice(0, 3)) {
      const job = await this.queue.getJob(String(id));
      if (job) return job.timestamp;
    }
    return null;
  }
}
