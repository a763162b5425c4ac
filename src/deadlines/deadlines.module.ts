import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { RedisConnections } from '../redis/redis-connections';
import { SessionsModule } from '../sessions/sessions.module';
import { DEADLINE_POLL_REDIS_CLIENT, DEADLINES_QUEUE } from './deadline.constants';
import { DeadlineEntriesMonitor } from './deadline-entries.monitor';
import { DeadlinePoller } from './deadline-poller';
import { DeadlineProcessor } from './deadline.processor';
import { DeadlineRunner } from './deadline-runner';
import { DeadlineScheduler } from './deadline-scheduler';
import { DeadlineStore } from './deadline-store';
import { DeadlineTimers } from './deadline-timers';
import { DeadlineWorkerLifecycle } from './deadline-worker.lifecycle';
import { LowTimeWarnings } from './low-time-warnings';

/**
 * What happens by itself at an instant: clocks that run out, scheduled starts and low-time
 * warnings; armed on every change (a local timer, one durable entry per session), fired at the
 * instant. The `deadlines` queue is consumed only to drain the jobs that earlier versions
 * queued (see DeadlineProcessor).
 */
@Module({
  imports: [BullModule.registerQueue({ name: DEADLINES_QUEUE }), SessionsModule],
  providers: [
    {
      provide: DEADLINE_POLL_REDIS_CLIENT,
      inject: [RedisConnections],
      // Closed by RedisConnections on shutdown, after the poller stopped (beforeApplicationShutdown).
      useFactory: (connections: RedisConnections) => connections.open('deadlines', 'worker'),
    },
    DeadlineTimers,
    DeadlineStore,
    DeadlineRunner,
    DeadlineScheduler,
    DeadlinePoller,
    DeadlineEntriesMonitor,
    DeadlineProcessor,
    DeadlineWorkerLifecycle,
    LowTimeWarnings,
  ],
  exports: [BullModule, DeadlineStore],
})
export class DeadlinesModule {}
