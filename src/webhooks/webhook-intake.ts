import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import {
  WEBHOOK_DELIVER_JOB,
  WEBHOOKS_QUEUE,
  WebhookDeliverJobData,
  WebhookEvent,
} from './webhook.constants';
import { WebhookMailbox } from './webhook-mailbox';

/**
 * A deliver job never fails for its receiver (failures are retried inside it, as delays); it
 * only retries Redis trouble, which must not strand a session's mailbox.
 */
export const DELIVER_JOB_OPTIONS: JobsOptions = {
  attempts: 1_000_000,
  backoff: { type: 'webhook', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
};

/**
 * Takes a queued batch of events into their sessions' mailboxes and makes sure each session
 * with pending events has its deliverer: the mailbox names the owner job, and adding a job
 * whose id exists already is a no-op, so a batch taken twice changes nothing.
 */
@Injectable()
export class WebhookIntake {
  constructor(
    private readonly mailbox: WebhookMailbox,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue,
  ) {}

  async take(events: WebhookEvent[]): Promise<void> {
    const bySession = new Map<string, WebhookEvent[]>();
    for (const event of events) {
      const list = bySession.get(event.session_id);
      if (list) list.push(event);
      else bySession.set(event.session_id, [event]);
    }
    const owned = await Promise.all(
      [...bySession].map(async ([sessionId, list]) => ({
        sessionId,
        owner: await this.mailbox.take(sessionId, list),
      })),
    );
    const jobs = owned
      .filter((o): o is { sessionId: string; owner: string } => o.owner !== null)
      .map(({ sessionId, owner }) => ({
        name: WEBHOOK_DELIVER_JOB,
        data: { session_id: sessionId } satisfies WebhookDeliverJobData,
        opts: { ...DELIVER_JOB_OPTIONS, jobId: owner },
      }));
    if (jobs.length > 0) await this.queue.addBulk(jobs);
  }
}
