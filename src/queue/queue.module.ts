import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';
import { SessionKeys } from '../state/session-keys';
import { JobBatcher } from './job-batcher';
import { workerConnectionOptions } from './queue-connection';

/**
 * BullMQ's shared settings. Workers (and the queues they consume) connect with
 * `maxRetriesPerRequest: null`, so that they wait through a Redis outage instead of failing;
 * the producers on the request path add on the fail-fast producer connection instead, through
 * the JobBatcher (one pipeline per turn of the event loop).
 * The prefix is a hash tag, so that a queue's keys stay in one Cluster slot.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [ConfigService, SessionKeys],
      useFactory: (config: ConfigService<Env, true>, keys: SessionKeys) => ({
        connection: workerConnectionOptions(config.get('REDIS_URL', { infer: true })),
        prefix: keys.queuePrefix(),
      }),
    }),
  ],
  providers: [JobBatcher],
  exports: [BullModule, JobBatcher],
})
export class QueueModule {}
