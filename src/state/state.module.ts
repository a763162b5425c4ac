import { Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getToken } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Counter } from 'prom-client';
import { METRICS } from '../metrics/metric-names';
import { ClockSync } from '../common/time/clock-sync';
import { LocalClock } from '../common/time/local-clock';
import { TimeSource } from '../common/time/time-source';
import { Env } from '../config/env.validation';
import { closeRedis, connectRedis, requestPathOptions } from './redis-client.factory';
import { PRODUCER_REDIS_CLIENT, REDIS_CLIENT } from './redis.constants';
import { SessionKeys } from './session-keys';
import { SessionStore } from './session-store';
import { SessionTtlPolicy } from './session-ttl.policy';

/**
 * A fail-fast client of the request path, named `synckairos:<client>` and counted under that
 * label in the Redis error metric.
 */
function requestPathClient(token: symbol, client: string, autoPipelining: boolean): Provider {
  return {
    provide: token,
    inject: [ConfigService, getToken(METRICS.redisErrors)],
    useFactory: async (config: ConfigService<Env, true>, errors: Counter<'client'>) => {
      const redis = await connectRedis(
        config.get('REDIS_URL', { infer: true }),
        {
          ...requestPathOptions(config.get('REDIS_COMMAND_TIMEOUT_MS', { infer: true })),
          enableAutoPipelining: autoPipelining,
        },
        `synckairos:${client}`,
      );
      redis.on('error', () => errors.inc({ client }));
      return redis;
    },
  };
}

/** A measurement older than this many intervals is stale: Redis' time has not been seen since. */
const STALE_AFTER_INTERVALS = 4;

const clockProviders: Provider[] = [
  {
    provide: LocalClock,
    inject: [ConfigService],
    // The fault hook is refused outside tests by the schema; checked here again all the same.
    useFactory: (config: ConfigService<Env, true>) =>
      new LocalClock(
        config.get('NODE_ENV', { infer: true }) === 'test'
          ? config.get('TEST_CLOCK_OFFSET_MS', { infer: true })
          : 0,
      ),
  },
  {
    provide: TimeSource,
    inject: [LocalClock, ConfigService],
    useFactory: (local: LocalClock, config: ConfigService<Env, true>) =>
      new TimeSource(local, {
        maxSkewMs: config.get('MAX_CLOCK_SKEW_MS', { infer: true }),
        correct: config.get('CLOCK_CORRECTION', { infer: true }),
        staleAfterMs: STALE_AFTER_INTERVALS * config.get('CLOCK_SYNC_INTERVAL_MS', { infer: true }),
      }),
  },
  ClockSync,
];

/** Redis, the only truth for live sessions, the store over it, and the one clock. */
@Global()
@Module({
  providers: [
    requestPathClient(REDIS_CLIENT, 'state', true),
    // The queue producers' own connection; BullMQ pipelines its adds itself.
    requestPathClient(PRODUCER_REDIS_CLIENT, 'producer', false),
    {
      provide: SessionKeys,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) =>
        new SessionKeys(config.get('REDIS_KEY_PREFIX', { infer: true })),
    },
    SessionStore,
    SessionTtlPolicy,
    ...clockProviders,
  ],
  exports: [
    REDIS_CLIENT,
    PRODUCER_REDIS_CLIENT,
    SessionKeys,
    SessionStore,
    SessionTtlPolicy,
    TimeSource,
  ],
})
export class StateModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(PRODUCER_REDIS_CLIENT) private readonly producer: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([closeRedis(this.redis), closeRedis(this.producer)]);
  }
}
