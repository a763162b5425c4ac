import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { SessionsGateway } from './sessions.gateway';
import { SocketStats } from './socket-stats';
import { WatcherRegistry } from './watcher-registry';

@Module({
  imports: [SessionsModule],
  providers: [SessionsGateway, WatcherRegistry, SocketStats],
  exports: [SessionsGateway, SocketStats],
})
export class GatewayModule {}
