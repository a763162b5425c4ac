import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { HeadlessBroadcaster } from './headless-broadcaster';

/** For processes without HTTP: publishes changes to the watchers of the API instances. */
@Module({
  imports: [SessionsModule],
  providers: [HeadlessBroadcaster],
})
export class HeadlessBroadcastModule {}
