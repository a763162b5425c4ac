import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { DelayedError, Job } from 'bullmq';
import { Counter, Histogram } from 'prom-client';
import { TimeSource } from '../common/time/time-source';
import { METRICS } from '../metrics/metric-names';
import { DeliveryStatus } from './entities/webhook-delivery.entity';
import {
  DELIVERY_TIMEOUT_MS,
  eventIdOf,
  WebhookDeliverJobData,
  WebhookEvent,
} from './webhook.constants';
import { webhookBody } from './webhook-body';
import { WebhookDeliveryLog } from './webhook-delivery-log';
import { Head, WebhookMailbox } from './webhook-mailbox';
import { nextTryAt } from './webhook-retry';
import { SendResult, WebhookSender } from './webhook-sender';
import { WebhookSettings } from './webhook-settings';
import { WebhookTargetRefused } from './ssrf-guard';
import { signatureHeader } from './webhook-signer';

/** Events one run sends before the job steps aside for other sessions. */
const EVENTS_PER_RUN = 100;
/**
 * An event whose predecessor has not reached the mailbox yet (two instances enqueued a
 * session's versions in the other order) waits for it this long, looking again this often;
 * after that the predecessor is taken as lost and the event goes.
 */
export const GAP_WAIT_MS = 10_000;
const GAP_POLL_MS = 200;

type PendingHead = Extract<Head, { kind: 'event' }>;

/**
 * A session's deliverer (one deliver job per session at a time): sends the head of the
 * mailbox, and only when it succeeded or was given up the next one, so a session's events
 * arrive in order and a failing event holds back the later ones. Between attempts the job
 * waits in BullMQ's delayed set, so a restart of every instance loses nothing; an instance
 * killed mid-attempt leaves the job to stall and be taken up again (the receiver sees the
 * same Idempotency-Key twice).
 */
@Injectable()
export class WebhookDeliverer {
  private readonly logger = new Logger(WebhookDeliverer.name);

  constructor(
    private readonly mailbox: WebhookMailbox,
    private readonly sender: WebhookSender,
    private readonly log: WebhookDeliveryLog,
    private readonly settings: WebhookSettings,
    private readonly time: TimeSource,
    @InjectMetric(METRICS.webhookDeliveries) private readonly outcomes: Counter<'outcome'>,
    @InjectMetric(METRICS.webhookLag) private readonly lag: Histogram,
  ) {}

  async run(job: Job<WebhookDeliverJobData>, token: string | undefined): Promise<void> {
    const sessionId = job.data.session_id;
    const owner = job.id as string;
    for (let sent = 0; sent < EVENTS_PER_RUN; sent++) {
      const head = await this.mailbox.head(sessionId, owner);
      if (head.kind !== 'event') return;
      const gapUntil = this.waitForPredecessor(head);
      if (gapUntil !== null) return later(job, token, gapUntil);
      if (head.event.url !== undefined) {
        const retryAt = await this.attempt(owner, head);
        if (retryAt === 'not_owner') return;
        if (retryAt !== null) return later(job, token, retryAt);
      }
      await this.mailbox.settle(sessionId, owner, head.member, head.event.seq);
    }
    return later(job, token, this.time.now());
  }

  private waitForPredecessor(head: PendingHead): number | null {
    const { prev, occurred_at_ms } = head.event;
    if (prev === null || prev <= head.done) return null;
    const now = this.time.now();
    if (now - occurred_at_ms < GAP_WAIT_MS) return now + GAP_POLL_MS;
    this.logger.warn(`${eventIdOf(head.event)}: the event before it never arrived; sending it`);
    return null;
  }

  /** One attempt at the head: null when it is settled, else when to try again. */
  private async attempt(owner: string, head: PendingHead): Promise<number | null | 'not_owner'> {
    const event = head.event;
    const started = this.time.now();
    const counted = await this.mailbox.attempt(event.session_id, owner, head.member, started);
    if (counted === null) return 'not_owner';
    const result = await this.send(event);
    const now = this.time.now();
    const next =
      result.ok || result.permanent
        ? null
        : nextTryAt(counted.attempt, counted.firstAttemptAt, now, this.settings.retryBaseMs);
    const status: DeliveryStatus = result.ok ? 'succeeded' : next === null ? 'given_up' : 'failed';
    await this.log.record({
      event_id: eventIdOf(event),
      session_id: event.session_id,
      version: event.version,
      event_type: event.type,
      attempt: counted.attempt,
      status,
      response_code: result.status,
      error: result.error,
      response_excerpt: result.excerpt,
      url: (event.url as string).slice(0, 2048),
      duration_ms: result.durationMs,
      attempted_at: new Date(started),
      next_try_at: status === 'failed' ? new Date(next as number) : null,
    });
    this.count(status, event, now);
    return status === 'failed' ? next : null;
  }

  private async send(event: WebhookEvent): Promise<SendResult & { permanent?: boolean }> {
    const refused = (error: string, permanent = false) => ({
      ok: false,
      status: null,
      excerpt: null,
      error: error.slice(0, 200),
      durationMs: 0,
      permanent,
    });
    if (!this.settings.enabled) return refused('WEBHOOK_SECRET is not set: nothing can be signed');
    let body: string;
    try {
      body = webhookBody(event);
    } catch (err) {
      // No retry can mend it: it must not hold the session's later events for a day.
      return refused(`unreadable event: ${(err as Error).message}`, true);
    }
    try {
      const target = await this.settings.guard.check(event.url as string);
      const headers = {
        'Content-Type': 'application/json',
        'User-Agent': 'SyncKairos-Webhooks/2.0',
        'SyncKairos-Signature': signatureHeader(
          this.settings.signingSecret(),
          body,
          this.time.now(),
        ),
        'Idempotency-Key': eventIdOf(event),
      };
      return await this.sender.post(target, body, headers, DELIVERY_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof WebhookTargetRefused) return refused(`refused: ${err.message}`);
      throw err;
    }
  }

  private count(status: DeliveryStatus, event: WebhookEvent, now: number): void {
    if (status === 'succeeded') {
      this.outcomes.inc({ outcome: 'succeeded' });
      this.lag.observe(Math.max(0, now - event.occurred_at_ms) / 1000);
      return;
    }
    this.outcomes.inc({ outcome: 'failed' });
    this.outcomes.inc({ outcome: status === 'failed' ? 'retried' : 'given_up' });
    if (status === 'given_up') this.logger.warn(`${eventIdOf(event)}: given up`);
  }
}

/** Parks the job in the delayed set until `at` (no attempt of the job is spent). */
async function later(job: Job, token: string | undefined, at: number): Promise<never> {
  await job.moveToDelayed(at, token);
  throw new DelayedError();
}
