import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CommitsModule } from '../commits/commits.module';
import { BroadcastModule } from './broadcast.module';
import { SessionsGateway } from './sessions.gateway';
import { SocketAuth } from './socket-auth';
import { SocketQuota } from './socket-quota';
import { SocketStats } from './socket-stats';
import { WatcherRegistry } from './watcher-registry';
import { RedisModule } from '../redis/redis.module';
import { StateModule } from '../state/state.module';
import { MetricsModule } from '../metrics/metrics.module';

/** The socket surface: inbound events take the command path; the push is BroadcastModule's. */
@Module({
  imports: [MetricsModule, StateModule, RedisModule, AuthModule, CommitsModule, BroadcastModule],
  providers: [SessionsGateway, WatcherRegistry, SocketStats, SocketAuth, SocketQuota],
  exports: [SessionsGateway, SocketStats],
})
export class GatewayModule {}
