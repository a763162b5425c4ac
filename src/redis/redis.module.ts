import { Module, Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';
import { PRODUCER_REDIS_CLIENT, REDIS_CLIENT } from '../state/redis.constants';
import { VARIADIC_KEY_SCRIPTS } from '../state/session-scripts';
import { RedisConnections } from './redis-connections';
import { REDIS_TOPOLOGY, topologyOf } from './redis-topology';
import { MetricsModule } from '../metrics/metrics.module';

const requestPathClients: Provider[] = [
  {
    provide: REDIS_CLIENT,
    inject: [RedisConnections],
    useFactory: (connections: RedisConnections) =>
      connections.open('state', 'request', {
        autoPipelining: true,
        variadicKeyScripts: VARIADIC_KEY_SCRIPTS,
      }),
  },
  {
    // The queue producers' own connection: what the JobBatcher issues in a turn leaves in one write.
    provide: PRODUCER_REDIS_CLIENT,
    inject: [RedisConnections],
    useFactory: (connections: RedisConnections) =>
      connections.open('producer', 'request', { autoPipelining: true }),
  },
];

/**
 * The one owner of the process' Redis connections (RedisConnections) and the two shared ones of
 * the request path, imported by every module that reads or writes Redis.
 */
@Module({
  imports: [MetricsModule],
  providers: [
    {
      provide: REDIS_TOPOLOGY,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => topologyOf(config),
    },
    RedisConnections,
    ...requestPathClients,
  ],
  exports: [RedisConnections, REDIS_CLIENT, PRODUCER_REDIS_CLIENT, REDIS_TOPOLOGY],
})
export class RedisModule {}
