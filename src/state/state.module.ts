import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
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

/** Redis, the only truth for live sessions, and the store over it. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [ConfigService, getToken(METRICS.redisErrors)],
      useFactory: async (config: ConfigService<Env, true>, errors: Counter<'client'>) => {
        const client = await connectRedis(
          config.get('REDIS_URL', { infer: true }),
          requestPathOptions(config.get('REDIS_COMMAND_TIMEOUT_MS', { infer: true })),
          'synckairos:state',
        );
        client.on('error', () => errors.inc({ client: 'state' }));
        return client;
      },
    },
    {
      provide: PRODUCER_REDIS_CLIENT,
      inject: [ConfigService, getToken(METRICS.redisErrors)],
      useFactory: async (config: ConfigService<Env, true>, errors: Counter<'client'>) => {
        const client = await connectRedis(
          config.get('REDIS_URL', { infer: true }),
          // BullMQ pipelines its bulk adds itself.
          {
            ...requestPathOptions(config.get('REDIS_COMMAND_TIMEOUT_MS', { infer: true })),
            enableAutoPipelining: false,
          },
          'synckairos:producer',
        );
        client.on('error', () => errors.inc({ client: 'producer' }));
        return client;
      },
    },
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
