import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { Idempotency } from './idempotency';
import { StateModule } from '../state/state.module';
import { SessionCache } from './session-cache';
import { SessionLoader } from './session-loader';
import { SessionsService } from './sessions.service';

/**
 * The sessions' rules over the store: a command in, the changes it committed out. What follows
 * a commit is the commit pipeline's (CommitsModule, above this one).
 */
@Module({
  imports: [StateModule, AuditModule],
  providers: [SessionsService, SessionLoader, SessionCache, Idempotency],
  exports: [SessionsService, SessionLoader],
})
export class SessionsModule {}
