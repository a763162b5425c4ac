import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Gauge } from 'prom-client';
import { DomainError } from '../common/errors/domain-error';
import { Env } from '../config/env.validation';
import { METRICS } from '../metrics/metric-names';
import { REDIS_CLIENT } from '../state/redis.constants';
import { OUTBOX_SHARDS, SessionKeys } from '../state/session-keys';
import { AUDIT_QUEUE } from './audit.constants';

/** Keys sampled per shard (and waiting jobs) for their MEMORY USAGE: the estimate's cost is fixed. */
const SAMPLE = 16;
/**
 * MEMORY USAGE as a script of one key: ioredis knows no key of MEMORY, so on a Cluster the
 * command went to whichever master the word USAGE hashes to, and answered MOVED for the rest.
 */
const MEMORY_USAGE_LUA = "return redis.call('MEMORY', 'USAGE', KEYS[1])";
/** The shared figure lapses if no consumer refreshes it: a stale "full" must not stick. */
const FIGURE_TTL_MS = 10_000;
const READ_EVERY_MS = 1000;

interface MemoryUsage {
  skMemoryUsage(key: string): Promise<number | null>;
}

export interface BacklogFigure {
  bytes: number;
  sessions: number;
  jobs: number;
  at: number;
}

/**
 * The audit backlog waiting for PostgreSQL, in Redis bytes: the outboxes (each session's
 * unwritten versions) and the waiting audit jobs, estimated from the count of each and the
 * MEMORY USAGE of a fixed sample. Each audit consumer measures it with its relay pass and
 * shares the figure in Redis; every instance reads it once a second. Past
 * AUDIT_BACKLOG_MAX_BYTES, client commands answer 503 BACKLOG_FULL (deadlines still fire and
 * reads still answer), so that a long PostgreSQL outage ends in refusals, not in a Redis out
 * of memory for everyone.
 */
@Injectable()
export class AuditBacklog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuditBacklog.name);
  private readonly maxBytes: number;
  private figure: BacklogFigure | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: SessionKeys,
    @InjectQueue(AUDIT_QUEUE) private readonly queue: Queue,
    @InjectMetric(METRICS.auditBacklogBytes) private readonly gauge: Gauge,
    config: ConfigService<Env, true>,
  ) {
    this.maxBytes = config.get('AUDIT_BACKLOG_MAX_BYTES', { infer: true });
    if (!('skMemoryUsage' in redis))
      redis.defineCommand('skMemoryUsage', { numberOfKeys: 1, lua: MEMORY_USAGE_LUA });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.read(), READ_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get full(): boolean {
    return this.maxBytes > 0 && this.figure !== null && this.figure.bytes >= this.maxBytes;
  }

  /** Refuses a client command while the backlog is at its cap. */
  assertRoom(): void {
    if (this.full) {
      throw new DomainError(
        'BACKLOG_FULL',
        'the audit backlog waiting for the database is full; try again shortly',
      );
    }
  }

  /** For readiness: the figure, and whether commands are refused. */
  status(): Record<string, unknown> {
    return {
      bytes: this.figure?.bytes ?? null,
      max_bytes: this.maxBytes,
      full: this.full,
    };
  }

  /** Measures the backlog and shares it (the audit consumer's relay pass). */
  async measure(): Promise<BacklogFigure> {
    let sessions = 0;
    let outboxBytes = 0;
    for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
      const index = this.keys.outboxIndex(shard);
      const count = await this.redis.zcard(index);
      if (count === 0) continue;
      sessions += count;
      const ids = await this.redis.zrandmember(index, SAMPLE);
      outboxBytes += count * (await this.meanUsage(ids.map((id) => this.keys.outbox(id))));
    }
    const jobs = await this.queue.getJobCountByTypes('wait', 'delayed', 'prioritized', 'paused');
    const sample = jobs > 0 ? await this.queue.getRanges(['wait'], 0, SAMPLE - 1) : [];
    const jobBytes = jobs * (await this.meanUsage(sample.map((id) => this.queue.toKey(id))));
    const figure = { bytes: Math.round(outboxBytes + jobBytes), sessions, jobs, at: Date.now() };
    await this.redis.set(this.keys.backlog(), JSON.stringify(figure), 'PX', FIGURE_TTL_MS);
    this.accept(figure);
    return figure;
  }

  private async meanUsage(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const usage = await Promise.all(
      keys.map((k) => (this.redis as unknown as MemoryUsage).skMemoryUsage(k)),
    );
    const sizes = usage.filter((u): u is number => typeof u === 'number');
    return sizes.length === 0 ? 0 : sizes.reduce((a, b) => a + b, 0) / sizes.length;
  }

  private async read(): Promise<void> {
    try {
      const text = await this.redis.get(this.keys.backlog());
      this.accept(text ? (JSON.parse(text) as BacklogFigure) : null);
    } catch {
      // Redis away: the store answers 503 by itself; keep the last figure.
    }
  }

  private accept(figure: BacklogFigure | null): void {
    const wasFull = this.full;
    this.figure = figure;
    this.gauge.set(figure?.bytes ?? 0);
    if (this.full !== wasFull) {
      const text = `audit backlog ${figure?.bytes ?? 0} B (cap ${this.maxBytes} B)`;
      if (this.full) this.logger.error(`${text}: client commands are refused (BACKLOG_FULL)`);
      else this.logger.warn(`${text}: commands accepted again`);
    }
  }
}
