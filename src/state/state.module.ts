import { Module, Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ClockSync } from '../common/time/clock-sync';
import { LocalClock } from '../common/time/local-clock';
import { TimeSource } from '../common/time/time-source';
import { Env } from '../config/env.validation';
import { SessionKeys } from './session-keys';
import { SessionStore } from './session-store';
import { SessionTtlPolicy } from './session-ttl.policy';
import { RedisModule } from '../redis/redis.module';
import { MetricsModule } from '../metrics/metrics.module';

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

/** The store over Redis (the only truth for live sessions; RedisModule's clients), and the one clock. */
@Module({
  imports: [MetricsModule, RedisModule],
  providers: [
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
  exports: [SessionKeys, SessionStore, SessionTtlPolicy, TimeSource],
})
export class StateModule {}
