import { Module } from '@nestjs/common';
import { SessionBroadcaster } from './session-broadcaster';

/** The push to the sessions' watchers, below both the commit pipeline and the gateway. */
@Module({
  providers: [SessionBroadcaster],
  exports: [SessionBroadcaster],
})
export class BroadcastModule {}
