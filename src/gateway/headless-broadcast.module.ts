import { Module } from '@nestjs/common';
import { BroadcastModule } from './broadcast.module';
import { HeadlessBroadcaster } from './headless-broadcaster';
import { RedisModule } from '../redis/redis.module';

/** For processes without HTTP: publishes changes to the watchers of the API instances. */
@Module({
  imports: [RedisModule, BroadcastModule],
  providers: [HeadlessBroadcaster],
})
export class HeadlessBroadcastModule {}
