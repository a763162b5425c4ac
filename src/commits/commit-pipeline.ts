import { Injectable, Logger } from '@nestjs/common';
import { AuditProducer } from '../audit/audit-producer';
import { DeadlineScheduler } from '../deadlines/deadline-scheduler';
import { SessionBroadcaster } from '../gateway/session-broadcaster';
import { LowTimeWarning, SessionChange, SessionDeletion } from '../state/session-change';
import { WebhookProducer } from '../webhooks/webhook-producer';

/**
 * What follows a commit, in this written order: the audit trail, the deadline, the push to
 * the session's watchers, the webhooks. Called by the command path (CommandService) for what a
 * command committed, by the deadline runner for a low-time warning, and by the outbox recovery
 * for what a writer never handed on.
 *
 * Await rules: every step is started in the same turn of the event loop, so JobBatcher sends
 * the audit job, the durable deadline entry and the webhook job in one round trip; the caller
 * then waits for all three to be queued. The push is published through the Socket.IO adapter
 * and never waited for. A step that fails is logged (and counted by its producer): the commit
 * stands, and it never fails the caller.
 */
@Injectable()
export class CommitPipeline {
  private readonly logger = new Logger(CommitPipeline.name);

  constructor(
    private readonly audit: AuditProducer,
    private readonly deadlines: DeadlineScheduler,
    private readonly broadcaster: SessionBroadcaster,
    private readonly webhooks: WebhookProducer,
  ) {}

  /** The changes of one command (a restore first, if any), oldest first. */
  async committed(changes: SessionChange[]): Promise<void> {
    await Promise.all(changes.map((change) => this.change(change)));
  }

  async deleted(deletion: SessionDeletion): Promise<void> {
    const audited = this.audit.recordDeletion(deletion);
    const cleared = this.deadlines.clearFor(deletion);
    this.push(() => this.broadcaster.deletion(deletion));
    const hooked = this.webhooks.enqueue(deletion);
    await this.settle(audited, cleared, hooked);
  }

  /** No version of its own: nothing to audit, and the deadline runner re-arms its wake-up. */
  async lowTime(warning: LowTimeWarning): Promise<void> {
    this.push(() => this.broadcaster.lowTime(warning));
    await this.settle(this.webhooks.enqueue(warning));
  }

  private async change(change: SessionChange): Promise<void> {
    const audited = this.audit.recordChange(change);
    const armed = this.deadlines.armFor(change);
    this.push(() => this.broadcaster.change(change));
    const hooked = this.webhooks.enqueue(change);
    await this.settle(audited, armed, hooked);
  }

  private push(publish: () => void): void {
    try {
      publish();
    } catch (err) {
      this.logger.error(`A push failed: ${String(err)}`);
    }
  }

  private async settle(...steps: Promise<void>[]): Promise<void> {
    for (const result of await Promise.allSettled(steps)) {
      if (result.status === 'rejected')
        this.logger.error(`A commit step failed: ${String(result.reason)}`);
    }
  }
}
