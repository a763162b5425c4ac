import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ExecutionContext, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import Redis from 'ioredis';
import { AuthModule } from '../auth/auth.module';
import { Env } from '../config/env.validation';
import { RedisModule } from '../redis/redis.module';
import { REDIS_CLIENT } from '../state/redis.constants';
import { FailOpenStorage } from './fail-open.storage';
import { RateLimitGuard } from './rate-limit.guard';

/**
 * The per-client limit, from config, counted in Redis; RATE_LIMIT_ENABLED=false turns it (and
 * the per-session limit on switch, see SessionsService) off, for benchmarks.
 */
@Module({
  imports: [
    AuthModule,
    ThrottlerModule.forRootAsync({
      imports: [RedisModule],
      inject: [ConfigService, REDIS_CLIENT],
      useFactory: (config: ConfigService<Env, true>, redis: Redis) => {
        const prefix = `${config.get('REDIS_KEY_PREFIX', { infer: true })}:rl`;
        const enabled = config.get('RATE_LIMIT_ENABLED', { infer: true });
        return {
          skipIf: () => !enabled,
          storage: new FailOpenStorage(new ThrottlerStorageRedisService(redis)),
          throttlers: [
            {
              name: 'default',
              ttl: config.get('RATE_LIMIT_WINDOW_MS', { infer: true }),
              limit: config.get('RATE_LIMIT_PER_CLIENT', { infer: true }),
              generateKey: (_ctx: ExecutionContext, tracker: string) =>
                `${prefix}:client:${tracker}`,
            },
          ],
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
