import { BullModule } from '@nestjs/bullmq';
import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { Env } from '../config/env.validation';
import { workerConnectionOptions } from '../queue/queue-connection';
import { closeRedis, connectRedis } from '../state/redis-client.factory';
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
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const url = config.get('REDIS_URL', { infer: true });
        return connectRedis(url, workerConnectionOptions(url), 'synckairos:deadlines');
      },
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
export class DeadlinesModule implements OnApplicationShutdown {
  constructor(@Inject(DEADLINE_POLL_REDIS_CLIENT) private readonly pollRedis: Redis) {}

  /** After the poller stopped (beforeApplicationShutdown). */
  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.pollRedis);
  }
}
