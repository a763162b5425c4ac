import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { SessionCache } from './session-cache';
import { SessionChangeFeed } from './session-change-feed';
import { SessionLoader } from './session-loader';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [StateModule],
  controllers: [SessionsController],
  providers: [SessionsService, SessionLoader, SessionCache, SessionChangeFeed],
  exports: [SessionsService, SessionLoader, SessionChangeFeed],
})
export class SessionsModule {}
