import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module';
import { RedisConnections } from '../redis/redis-connections';
import { DEADLINE_POLL_REDIS_CLIENT, DEADLINES_QUEUE } from './deadline.constants';
import { DeadlineEntriesMonitor } from './deadline-entries.monitor';
import { DeadlineScheduler } from './deadline-scheduler';
import { DeadlineStore } from './deadline-store';
import { DeadlineTimers } from './deadline-timers';
import { LowTimeWarnings } from './low-time-warnings';
import { RedisModule } from '../redis/redis.module';
import { StateModule } from '../state/state.module';
import { MetricsModule } from '../metrics/metrics.module';

/**
 * What happens by itself at an instant: clocks that run out, scheduled starts and low-time
 * warnings; armed on every change (a local timer, one durable entry per session). What fires
 * them is CommitsModule's (DeadlineRunner), since a fire is a command. The `deadlines` queue is
 * registered here for the drain of the jobs that earlier versions queued (DeadlineProcessor).
 */
@Module({
  imports: [
    MetricsModule,
    StateModule,
    RedisModule,
    BullModule.registerQueue({ name: DEADLINES_QUEUE }),
    QueueModule,
  ],
  providers: [
    {
      provide: DEADLINE_POLL_REDIS_CLIENT,
      inject: [RedisConnections],
      // Closed by RedisConnections on shutdown, after the poller stopped (beforeApplicationShutdown).
      useFactory: (connections: RedisConnections) => connections.open('deadlines', 'worker'),
    },
    DeadlineTimers,
    DeadlineStore,
    DeadlineScheduler,
    DeadlineEntriesMonitor,
    LowTimeWarnings,
  ],
  exports: [BullModule, DeadlineStore, DeadlineScheduler, DeadlineTimers, LowTimeWarnings],
})
export class DeadlinesModule {}
