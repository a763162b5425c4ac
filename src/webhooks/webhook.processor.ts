import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { NEVER_GIVE_UP_WORKER_OPTIONS } from '../queue/worker-options';
import {
  WEBHOOK_DELIVER_JOB,
  WEBHOOKS_QUEUE,
  WebhookDeliverJobData,
  WebhookEventsJobData,
} from './webhook.constants';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookIntake } from './webhook-intake';

/** Redis trouble inside a job: 1 s, 2 s, 4 s … 30 s between tries. */
export function webhookJobBackoff(attemptsMade: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), 30_000);
}

/**
 * Consumes the `webhooks` queue: batches of events go into the mailboxes, deliver jobs send
 * them. Started by WebhookWorkerLifecycle unless WEBHOOK_WORKER=false. A killed instance's
 * deliveries are taken up again within seconds, and a job may stall any number of times (a
 * session's deliverer must never end as failed).
 */
@Processor(WEBHOOKS_QUEUE, {
  autorun: false,
  concurrency: 50,
  ...NEVER_GIVE_UP_WORKER_OPTIONS,
  runRetryDelay: 1000,
  settings: { backoffStrategy: webhookJobBackoff },
})
export class WebhookProcessor extends WorkerHost {
  constructor(
    private readonly intake: WebhookIntake,
    private readonly deliverer: WebhookDeliverer,
  ) {
    super();
  }

  process(job: Job, token?: string): Promise<void> {
    if (job.name === WEBHOOK_DELIVER_JOB)
      return this.deliverer.run(job as Job<WebhookDeliverJobData>, token);
    return this.intake.take((job.data as WebhookEventsJobData).events);
  }
}
