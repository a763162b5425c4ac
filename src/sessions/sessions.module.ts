import { Module } from '@nestjs/common';
import { Idempotency } from './idempotency';
import { StateModule } from '../state/state.module';
import { SessionCache } from './session-cache';
import { SessionChangeFeed } from './session-change-feed';
import { SessionLoader } from './session-loader';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [StateModule],
  controllers: [SessionsController],
  providers: [SessionsService, SessionLoader, SessionCache, SessionChangeFeed, Idempotency],
  exports: [SessionsService, SessionLoader, SessionChangeFeed],
})
export class SessionsModule {}
