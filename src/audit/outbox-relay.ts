import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { ClockState, Step, Timeout, toView } from '@synckairos/clock';
import { Counter } from 'prom-client';
import { TimeSource } from '../common/time/time-source';
import { Env } from '../config/env.validation';
import { METRICS } from '../metrics/metric-names';
import { SessionChange } from '../state/session-change';
import { OUTBOX_SHARDS } from '../state/session-keys';
import { SessionStore } from '../state/session-store';
import { OutboxEntry, parseOutboxEntry } from '../state/outbox-entry';
import { AuditEvent } from './audit.constants';
import { AuditBacklog } from './audit-backlog';
import { AuditRecorder } from './audit-recorder';

/** Sessions claimed per shard and round, and entries read per session: every loop is bounded. */
const CLAIM_MAX = 50;
const READ_MAX = 500;
/** How long a claim keeps other relays off a session. */
const LEASE_MS = 30_000;

/**
 * The outbox relay. Every committed version has its event in the session's outbox, appended by
 * the compare-and-set itself; the normal path writes it to PostgreSQL through the audit queue
 * and trims it within milliseconds. Entries still there after OUTBOX_STALE_MS were committed by
 * a writer that never got to enqueue them (it crashed, or Redis ran the write after the caller
 * had given up: a phantom commit). The relay writes them, and hands them back to its caller as
 * recovered changes (OutboxRecovery), for the commit pipeline to push them, arm their deadline
 * and send their webhooks.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly staleMs: number;

  constructor(
    private readonly store: SessionStore,
    private readonly recorder: AuditRecorder,
    private readonly time: TimeSource,
    private readonly backlog: AuditBacklog,
    @InjectMetric(METRICS.outboxRecovered) private readonly recovered: Counter,
    config: ConfigService<Env, true>,
  ) {
    this.staleMs = config.get('OUTBOX_STALE_MS', { infer: true });
  }

  /**
   * One pass over every index shard: each session's relayed versions, as one recovered change,
   * once PostgreSQL has them. Then the backlog's size.
   */
  async *relayOnce(): AsyncGenerator<SessionChange> {
    yield* this.relayStale();
    await this.backlog.measure();
  }

  private async *relayStale(): AsyncGenerator<SessionChange> {
    const now = this.time.now();
    for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
      const backlog = await this.store.outboxBacklog(shard);
      if (backlog.oldest === null || backlog.oldest > now - this.staleMs) continue;
      const ids = await this.store.claimStaleOutboxes(
        shard,
        now - this.staleMs,
        now + LEASE_MS,
        CLAIM_MAX,
      );
      for (const id of ids) {
        const recovered = await this.relaySession(id, now + LEASE_MS);
        if (recovered) yield recovered;
      }
    }
  }

  private async relaySession(
    sessionId: string,
    leasedUntil: number,
  ): Promise<SessionChange | null> {
    const entries = (await this.store.readOutbox(sessionId, READ_MAX)).map(parseOutboxEntry);
    if (entries.length === 0) {
      // Trimmed meanwhile (our lease kept the trimmer from unindexing it): unindex it now,
      // unless a commit filed it again since.
      await this.store.unindexOutbox(sessionId, leasedUntil);
      return null;
    }
    const events = entries.map((e) => e.event);
    await this.recorder.record(events);
    this.recovered.inc(events.length);
    this.logger.warn(
      `Relayed ${events.length} unwritten version(s) of ${sessionId} (v${events[0].version}-v${events[events.length - 1].version})`,
    );
    return recoveredChange(sessionId, entries, this.time.now());
  }
}

/** The entries as a change for the pipeline, marked recovered (already in PostgreSQL). */
function recoveredChange(sessionId: string, entries: OutboxEntry[], now: number): SessionChange {
  const steps = entries.map(({ event }) => stepOf(event));
  const after = steps[steps.length - 1].state;
  return {
    sessionId,
    before: null,
    after,
    steps,
    view: toView(after, now),
    now,
    watched: true,
    recovered: true as const,
  };
}

function stepOf(event: AuditEvent): Step {
  const details = { ...(event.details ?? {}) } as Record<string, unknown>;
  const timeouts = (details.timeouts as Timeout[] | undefined) ?? [];
  const groupId = details.group_id as string | undefined;
  delete details.timeouts;
  delete details.group_id;
  return {
    type: event.event_type,
    version: event.version,
    at: event.occurred_at_ms,
    participant_id: event.participant_id,
    ...(groupId !== undefined && { group_id: groupId }),
    ...(Object.keys(details).length > 0 && { details }),
    timeouts,
    state: JSON.parse(event.state) as ClockState,
  };
}
