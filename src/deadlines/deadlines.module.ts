import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { DEADLINES_QUEUE } from './deadline.constants';
import { DeadlineProcessor } from './deadline.processor';
import { DeadlineRunner } from './deadline-runner';
import { DeadlineScheduler } from './deadline-scheduler';
import { DeadlineTimers } from './deadline-timers';
import { DeadlineWorkerLifecycle } from './deadline-worker.lifecycle';
import { LowTimeWarnings } from './low-time-warnings';

/**
 * What happens by itself at an instant: clocks that run out, scheduled starts and low-time
 * warnings; armed on every change, fired at the instant.
 */
@Module({
  imports: [BullModule.registerQueue({ name: DEADLINES_QUEUE }), SessionsModule],
  providers: [
    DeadlineTimers,
    DeadlineRunner,
    DeadlineScheduler,
    DeadlineProcessor,
    DeadlineWorkerLifecycle,
    LowTimeWarnings,
  ],
  exports: [BullModule],
})
export class DeadlinesModule {}
