import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { BroadcastModule } from '../gateway/broadcast.module';
import { SessionsModule } from '../sessions/sessions.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CommandService } from './command.service';
import { CommitPipeline } from './commit-pipeline';
import { DeadlinePoller } from './deadline-poller';
import { DeadlineProcessor } from './deadline.processor';
import { DeadlineRunner } from './deadline-runner';
import { DeadlineWorkerLifecycle } from './deadline-worker.lifecycle';
import { OutboxRecovery } from './outbox-recovery';
import { StateModule } from '../state/state.module';
import { MetricsModule } from '../metrics/metrics.module';

/**
 * The write path above the sessions' rules: the command path (CommandService) and what follows
 * every commit (CommitPipeline), and the commits that happen by themselves: deadlines that fire
 * (timers, the durable entries' poller, the drained jobs) and outbox entries recovered.
 */
@Module({
  imports: [
    MetricsModule,
    StateModule,
    SessionsModule,
    AuditModule,
    DeadlinesModule,
    WebhooksModule,
    BroadcastModule,
  ],
  providers: [
    CommandService,
    CommitPipeline,
    DeadlineRunner,
    DeadlinePoller,
    DeadlineProcessor,
    DeadlineWorkerLifecycle,
    OutboxRecovery,
  ],
  exports: [CommandService],
})
export class CommitsModule {}
