import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { DomainError } from '../common/errors/domain-error';
import { Env } from '../config/env.validation';
import { REDIS_CLIENT } from '../state/redis.constants';

/** Addresses remembered as blocked at once; the oldest go first past this. */
const MAX_BLOCKED = 10_000;

/**
 * Failed authentication, limited per client address (REST and socket handshakes): past
 * AUTH_FAILURES_PER_WINDOW failures in AUTH_FAILURE_WINDOW_MS, every attempt from that address
 * that needs credentials, good ones included, is 429 until the window ends, so guessing keys
 * gets nowhere. Failures are counted in Redis (across instances); a request that authenticates
 * costs nothing here: an instance learns that an address is blocked from the failures it sees.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly logger = new Logger(AuthFailureLimiter.name);
  private readonly blockedUntil = new Map<string, number>();
  private readonly enabled: boolean;
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly prefix: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    config: ConfigService<Env, true>,
  ) {
    this.enabled = config.get('RATE_LIMIT_ENABLED', { infer: true });
    this.limit = config.get('AUTH_FAILURES_PER_WINDOW', { infer: true });
    this.windowMs = config.get('AUTH_FAILURE_WINDOW_MS', { infer: true });
    this.prefix = `${config.get('REDIS_KEY_PREFIX', { infer: true })}:rl:auth-failures:`;
  }

  /** 429 while `address` is blocked. */
  assertAllowed(address: string, now = Date.now()): void {
    const until = this.blockedUntil.get(address);
    if (until === undefined) return;
    if (until <= now) {
      this.blockedUntil.delete(address);
      return;
    }
    throw this.refusal(until - now);
  }

  /**
   * Counts a failure of `address`; returns the 429 to answer instead of the 401 once it is past
   * the limit. When Redis cannot count, nothing is limited (as with every other rate limit).
   */
  async recordFailure(address: string, now = Date.now()): Promise<DomainError | null> {
    if (!this.enabled) return null;
    const key = this.prefix + address;
    let count: number;
    let ttlMs: number;
    try {
      const replies = await this.redis
        .multi()
        .set(key, 0, 'PX', this.windowMs, 'NX')
        .incr(key)
        .pttl(key)
        .exec();
      count = Number(replies?.[1]?.[1]);
      ttlMs = Number(replies?.[2]?.[1]);
    } catch (err) {
      this.logger.warn(`Authentication failure not counted: ${(err as Error).message}`);
      return null;
    }
    if (!(count > this.limit)) return null;
    this.block(address, now + (ttlMs > 0 ? ttlMs : this.windowMs));
    return this.refusal(ttlMs > 0 ? ttlMs : this.windowMs);
  }

  private block(address: string, until: number): void {
    this.blockedUntil.delete(address);
    this.blockedUntil.set(address, until);
    if (this.blockedUntil.size > MAX_BLOCKED) {
      const oldest = this.blockedUntil.keys().next().value as string;
      this.blockedUntil.delete(oldest);
    }
  }

  private refusal(remainingMs: number): DomainError {
    const retryAfter = Math.max(1, Math.ceil(remainingMs / 1000));
    return DomainError.rateLimited(
      `too many failed authentications from this address; retry in ${retryAfter} s`,
      this.limit,
      retryAfter,
    );
  }
}
