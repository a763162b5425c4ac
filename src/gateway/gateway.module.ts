import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { SessionsGateway } from './sessions.gateway';
import { SocketAuth } from './socket-auth';
import { SocketQuota } from './socket-quota';
import { SocketStats } from './socket-stats';
import { WatcherRegistry } from './watcher-registry';

@Module({
  imports: [SessionsModule],
  providers: [SessionsGateway, WatcherRegistry, SocketStats, SocketAuth, SocketQuota],
  exports: [SessionsGateway, SocketStats],
})
export class GatewayModule {}
