import { Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { RedisConnections } from '../redis/redis-connections';

/**
 * Injection token of the webhook worker's own client (the mailboxes): off the request path,
 * it waits through a Redis outage like the queue workers instead of failing.
 */
export const WEBHOOK_REDIS_CLIENT = Symbol('WEBHOOK_REDIS_CLIENT');

export const webhookRedisProvider: Provider = {
  provide: WEBHOOK_REDIS_CLIENT,
  inject: [RedisConnections],
  // Closed by RedisConnections on shutdown, after the worker stopped (beforeApplicationShutdown).
  useFactory: (connections: RedisConnections): Promise<Redis> =>
    connections.open('webhooks', 'worker'),
};
