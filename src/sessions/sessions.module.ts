import { Module } from '@nestjs/common';
import { Idempotency } from './idempotency';
import { StateModule } from '../state/state.module';
import { BulkStartController } from './bulk-start.controller';
import { BulkStarter } from './bulk-starter';
import { SessionCache } from './session-cache';
import { SessionChangeFeed } from './session-change-feed';
import { SessionLoader } from './session-loader';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [StateModule],
  controllers: [SessionsController, BulkStartController],
  providers: [
    SessionsService,
    SessionLoader,
    SessionCache,
    SessionChangeFeed,
    Idempotency,
    BulkStarter,
  ],
  exports: [SessionsService, SessionLoader, SessionChangeFeed],
})
export class SessionsModule {}
