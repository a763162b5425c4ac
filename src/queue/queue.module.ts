import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { RedisConnections } from '../redis/redis-connections';
import { SessionKeys } from '../state/session-keys';
import { JobBatcher } from './job-batcher';
import { ProducerQueues } from './producer-queues';
import { RedisModule } from '../redis/redis.module';
import { StateModule } from '../state/state.module';

/**
 * BullMQ's shared settings. Workers (and the queues they consume) share the `queue` worker
 * connection (`maxRetriesPerRequest: null`), so that they wait through a Redis outage instead of failing;
 * the producers on the request path add on the fail-fast producer connection instead, through
 * the JobBatcher (one write per turn of the event loop).
 * The prefix is a hash tag, so that a queue's keys stay in one Cluster slot. BullModule's root
 * configuration is global by its own convention; the batcher is imported by the producers.
 */
@Module({
  imports: [
    StateModule,
    RedisModule,
    BullModule.forRootAsync({
      imports: [RedisModule, StateModule],
      inject: [RedisConnections, SessionKeys],
      useFactory: async (connections: RedisConnections, keys: SessionKeys) => ({
        // One shared connection (a Cluster on a cluster); each worker duplicates it to block.
        connection: await connections.open('queue', 'worker'),
        prefix: keys.queuePrefix(),
      }),
    }),
  ],
  providers: [JobBatcher, ProducerQueues],
  exports: [BullModule, JobBatcher, ProducerQueues],
})
export class QueueModule {}
