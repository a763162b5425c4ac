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
import { OutboxEntry } from '../state/outbox-entry';
import { AuditEvent } from './audit.constants';
import { AuditBacklog } from './audit-backlog';
import { AuditRecorder } from './audit-recorder';

/**
 * Sessions claimed per shard and round, and events per write: every loop is bounded (a
 * session's lines by the backlog cap).
 */
const CLAIM_MAX = 50;
const WRITE_MAX = 500;
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
    @InjectMetric(METRICS.auditUnrecoverable) private readonly unrecoverable: Counter,
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
    // PostgreSQL is down: reading and rebuilding outboxes now would only fail their writes.
    if (await this.recorder.pausedForOutage()) return;
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
    const { entries, broken, handedOff } = await this.store.readOutbox(sessionId);
    if (broken.length > 0) await this.giveUp(sessionId, broken);
    if (entries.length === 0) {
      // Trimmed meanwhile (our lease kept the trimmer from unindexing it): unindex it now,
      // unless a commit filed it again since.
      if (broken.length === 0) await this.store.unindexOutbox(sessionId, leasedUntil);
      return null;
    }
    for (let from = 0; from < entries.length; from += WRITE_MAX)
      await this.recorder.record(entries.slice(from, from + WRITE_MAX).map((e) => e.event));
    // Versions handed off by their audit job during an outage were pushed and armed already:
    // only the others were never handed on (a crash, a phantom commit).
    const unpublished = entries.filter((e) => e.version > handedOff);
    if (unpublished.length > 0) {
      const [first, last] = [unpublished[0], unpublished[unpublished.length - 1]];
      this.recovered.inc(unpublished.length);
      this.logger.warn(
        `Relayed ${unpublished.length} version(s) of ${sessionId} never handed on (v${first.version}-v${last.version})`,
      );
      return recoveredChange(sessionId, unpublished, this.time.now());
    }
    return null;
  }

  /** Versions whose state expired unwritten: named once and trimmed, never guessed. */
  private async giveUp(sessionId: string, versions: number[]): Promise<void> {
    this.unrecoverable.inc(versions.length);
    this.logger.error(
      `Audit events of ${sessionId} v${versions.join(',')} can never be written: their state expired before they were`,
    );
    await this.store.ackOutbox(sessionId, versions);
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
