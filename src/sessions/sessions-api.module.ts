import { Module } from '@nestjs/common';
import { CommitsModule } from '../commits/commits.module';
import { StateModule } from '../state/state.module';
import { BulkStartController } from './bulk-start.controller';
import { BulkStarter } from './bulk-starter';
import { SessionsController } from './sessions.controller';

/** The REST surface of the sessions: every command goes through the command path. */
@Module({
  imports: [CommitsModule, StateModule],
  controllers: [SessionsController, BulkStartController],
  providers: [BulkStarter],
})
export class SessionsApiModule {}
