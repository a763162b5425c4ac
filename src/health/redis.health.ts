import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { withTimeout } from '../common/time/with-timeout';
import { REDIS_CLIENT } from '../state/redis.constants';

const PING_TIMEOUT_MS = 500;

/** Terminus has no Redis indicator: a PING on the existing client, with a short timeout. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const started = Date.now();
    try {
      await withTimeout(this.redis.ping(), PING_TIMEOUT_MS);
      return indicator.up({ latency_ms: Date.now() - started });
    } catch (err) {
      return indicator.down({ message: (err as Error).message, connection: this.redis.status });
    }
  }
}
