import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

/**
 * Counts in Redis so that limits hold across instances. When Redis cannot count, requests
 * are let through rather than failed: the session store answers 503 on its own where Redis
 * is needed, and the clock (GET /v1/time) keeps working.
 */
export class FailOpenStorage implements ThrottlerStorage {
  private readonly logger = new Logger(FailOpenStorage.name);

  constructor(private readonly inner: ThrottlerStorage) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      return await this.inner.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (err) {
      this.logger.warn(
        `Rate limit not counted (${(err as Error).message}); letting the request through`,
      );
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
