import { Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { Env } from '../config/env.validation';
import { workerConnectionOptions } from '../queue/queue-connection';
import { connectRedis } from '../state/redis-client.factory';

/**
 * Injection token of the webhook worker's own client (the mailboxes): off the request path,
 * it waits through a Redis outage like the queue workers instead of failing.
 */
export const WEBHOOK_REDIS_CLIENT = Symbol('WEBHOOK_REDIS_CLIENT');

export const webhookRedisProvider: Provider = {
  provide: WEBHOOK_REDIS_CLIENT,
  inject: [ConfigService],
  useFactory: (config: ConfigService<Env, true>): Promise<Redis> => {
    const { url, ...options } = workerConnectionOptions(config.get('REDIS_URL', { infer: true }));
    return connectRedis(url, options, 'synckairos:webhooks');
  },
};
