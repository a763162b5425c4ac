import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { JobsOptions, Queue } from 'bullmq';
import { Counter } from 'prom-client';
import { SessionWebhook } from '@synckairos/clock';
import { METRICS } from '../metrics/metric-names';
import { JobBatcher, JobStream } from '../queue/job-batcher';
import { ProducerQueues } from '../queue/producer-queues';
import { LowTimeWarning, SessionChange, SessionDeletion } from '../state/session-change';
import {
  orderOf,
  prevOf,
  WEBHOOK_EVENTS_JOB,
  WEBHOOKS_QUEUE,
  WebhookEvent,
  WebhookEventsJobData,
} from './webhook.constants';
import { WebhookEventType } from './webhook-event-types';
import { WebhookSettings } from './webhook-settings';

/** Most events in one queue job. */
const EVENTS_PER_JOB = 200;

/** The events jobs retry (a Redis blip in the worker) for about a day, 30 s apart at most. */
export const EVENTS_JOB_OPTIONS: JobsOptions = {
  attempts: 3000,
  backoff: { type: 'webhook', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
};

/** A committed change, a deletion or a low-time warning: what webhooks are handed. */
export type WebhookSource = SessionChange | SessionDeletion | LowTimeWarning;

/**
 * Puts the events of committed changes on the `webhooks` queue, for sessions that have a
 * webhook (their own, else the default): in the same pipeline as the turn's audit and deadline
 * jobs (JobBatcher), so a session with a webhook costs no round trip of its own and a session
 * without one costs nothing at all. An event whose type the webhook does not want travels as a
 * marker, which keeps the session's order exact without being sent. A refused enqueue is
 * logged and counted; the change stays committed.
 */
@Injectable()
export class WebhookProducer {
  private readonly logger = new Logger(WebhookProducer.name);
  private readonly queue: Queue<WebhookEventsJobData>;
  private readonly stream: JobStream<WebhookEvent>;

  constructor(
    queues: ProducerQueues,
    private readonly jobs: JobBatcher,
    private readonly settings: WebhookSettings,
    @InjectMetric(METRICS.webhookEnqueueFailures) private readonly failures: Counter,
  ) {
    this.queue = queues.open<WebhookEventsJobData>(WEBHOOKS_QUEUE);
    this.stream = {
      queue: this.queue,
      name: WEBHOOK_EVENTS_JOB,
      opts: EVENTS_JOB_OPTIONS,
      max: EVENTS_PER_JOB,
      data: (events) => ({ events }),
    };
  }

  /**
   * The one entry point (the commit pipeline's): the webhook events of a committed change, a
   * deletion or a low-time warning, added to this
   * turn's batched queue job. Resolves once added (or the failure is counted); never rejects.
   */
  async enqueue(source: WebhookSource): Promise<void> {
    const events = webhookEventsOf(source, this.settings.defaultTarget);
    if (events.length === 0) return;
    try {
      await this.jobs.append(this.stream, events);
    } catch (err) {
      this.failures.inc(events.length);
      const versions = events.map((e) => e.version).join(',');
      this.logger.error(
        `Webhook enqueue failed for session ${source.sessionId} v${versions}: ${(err as Error).message}`,
      );
    }
  }
}

/**
 * The webhook events of a committed change or deletion: none when the session has no webhook
 * (its own, else `defaultTarget`), else one per version, oldest first.
 */
export function webhookEventsOf(
  source: WebhookSource,
  defaultTarget: SessionWebhook | null,
): WebhookEvent[] {
  if ('crossing' in source) return lowTimeEventsOf(source, defaultTarget);
  if (!('steps' in source)) {
    const target = source.last.webhook ?? defaultTarget;
    if (target === null) return [];
    const step = { type: 'session_deleted' as const, version: source.version, at: source.now };
    return [eventOf(target, source.sessionId, step, false, () => JSON.stringify(source.last))];
  }
  const change = source;
  const target = change.after.webhook ?? defaultTarget;
  if (target === null) return [];
  return change.steps.map((step, i) =>
    eventOf(target, change.sessionId, step, i === 0 && change.before === null, () =>
      // The newest step's state is the one just written: its text is already made.
      step.version === change.after.version && change.stored !== undefined
        ? change.stored
        : JSON.stringify(step.state),
    ),
  );
}

/**
 * A low-time warning: the version that was current, after that version's own event (orderOf),
 * its instant the crossing's, its state that version's.
 */
function lowTimeEventsOf(
  warning: LowTimeWarning,
  defaultTarget: SessionWebhook | null,
): WebhookEvent[] {
  const target = warning.state.webhook ?? defaultTarget;
  if (target === null) return [];
  const step = { type: 'low_time' as const, version: warning.version, at: warning.crossing.at_ms };
  return [eventOf(target, warning.sessionId, step, false, () => JSON.stringify(warning.state))];
}

/**
 * One event in the session's order; a marker when the target does not want its type. `first`:
 * nothing comes before it (the session was just created, or restored).
 */
export function eventOf(
  target: SessionWebhook,
  sessionId: string,
  step: { type: WebhookEventType; version: number; at: number },
  first: boolean,
  stateText: () => string,
): WebhookEvent {
  const event: WebhookEvent = {
    session_id: sessionId,
    version: step.version,
    type: step.type,
    occurred_at_ms: step.at,
    seq: orderOf(step.version, step.type),
    prev: first ? null : prevOf(step.version, step.type),
  };
  if (!target.events.includes(step.type)) return event;
  return { ...event, url: target.url, state: stateText() };
}
