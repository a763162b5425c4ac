import { Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getToken } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Counter } from 'prom-client';
import { METRICS } from '../metrics/metric-names';
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

/** Redis, the only truth for live sessions, and the store over it. */
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
    TimeSource,
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
