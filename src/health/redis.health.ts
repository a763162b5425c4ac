import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Counter } from 'prom-client';
import { withTimeout } from '../common/time/with-timeout';
import { METRICS } from '../metrics/metric-names';
import { clusterOf } from '../redis/redis-connections';
import { REDIS_CLIENT } from '../state/redis.constants';
import { SessionKeys } from '../state/session-keys';

const PING_TIMEOUT_MS = 500;

/**
 * Terminus has no Redis indicator: a round trip on the existing client, with a short timeout.
 * It also reads the epoch marker, a key written once when a Redis is first used: a Redis
 * that answers without it has lost its data (restarted empty, failed over to an empty
 * replica). That is logged, counted and shown in readiness; sessions then come back from the
 * audit trail, in a new epoch of versions.
 */
@Injectable()
export class RedisHealthIndicator implements OnApplicationBootstrap {
  private readonly logger = new Logger(RedisHealthIndicator.name);
  private epoch: string | null = null;
  private lossDetectedAt: string | null = null;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: SessionKeys,
    private readonly health: HealthIndicatorService,
    @InjectMetric(METRICS.redisDataLoss) private readonly dataLoss: Counter,
  ) {}

  /** Learns the epoch at boot, so that a loss before the first probe is seen too. */
  async onApplicationBootstrap(): Promise<void> {
    await withTimeout(this.checkEpoch(), PING_TIMEOUT_MS).catch(() => undefined);
  }

  async isHealthy(key = 'redis'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const started = Date.now();
    try {
      await withTimeout(this.checkEpoch(), PING_TIMEOUT_MS);
      const detail: Record<string, unknown> = { latency_ms: Date.now() - started };
      if (this.lossDetectedAt) detail.data_loss_detected_at = this.lossDetectedAt;
      return indicator.up(detail);
    } catch (err) {
      return indicator.down({ message: (err as Error).message, connection: this.redis.status });
    }
  }

  private async checkEpoch(): Promise<void> {
    // On a cluster the marker is on one master: every master must answer too.
    const cluster = clusterOf(this.redis);
    if (cluster) await Promise.all(cluster.nodes('master').map((node) => node.ping()));
    const marker = `${new Date().toISOString()} ${randomUUID()}`;
    // SET NX GET: the marker there is, or ours written in its place (one round trip).
    const found = await this.redis.set(this.keys.epoch(), marker, 'NX', 'GET');
    const current = found ?? marker;
    if (this.epoch !== null && current !== this.epoch) {
      this.lossDetectedAt = new Date().toISOString();
      this.dataLoss.inc();
      this.logger.error(
        `Redis lost its data (epoch marker ${this.epoch} is gone): sessions are restored from the audit trail in a new epoch; unwritten audit events may be lost`,
      );
    }
    this.epoch = current;
  }
}
