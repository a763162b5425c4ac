import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { toStorableJson } from '../common/text/storable-text';
import { Env } from '../config/env.validation';
import { METRICS } from '../metrics/metric-names';
import { AuditEvent, describeEvents } from './audit.constants';
import { AuditDatabase } from './audit-database';
import { classifyFailure } from './pg-errors';

interface Pending {
  events: AuditEvent[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Events that no retry can write (they break a constraint or a type). The good events they
 * travelled with are written; `code` keeps the first culprit's SQLSTATE.
 */
export class UnwritableEventsError extends Error {
  readonly code: unknown;

  constructor(
    readonly events: AuditEvent[],
    cause: unknown,
  ) {
    super(`${describeEvents(events)}: ${(cause as Error).message}`);
    this.name = UnwritableEventsError.name;
    this.code = (cause as { code?: unknown }).code;
  }
}

/**
 * Writes audit events in batches: the events of the jobs the worker holds at once go to
 * PostgreSQL in one transaction (events inserted with ON CONFLICT DO NOTHING, session rows
 * upserted only forward), so the worker keeps up with the hot path and an event written twice
 * leaves one row. Each job's promise settles when its events are written or have failed.
 */
@Injectable()
export class AuditWriter {
  private readonly logger = new Logger(AuditWriter.name);
  private pending: Pending[] = [];
  private pendingEvents = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxBatch: number;
  private readonly lingerMs: number;

  constructor(
    private readonly db: AuditDatabase,
    config: ConfigService<Env, true>,
    @InjectMetric(METRICS.auditEventsWritten) private readonly written: Counter,
    @InjectMetric(METRICS.auditLag) private readonly lag: Histogram,
    @InjectMetric(METRICS.auditBatchSize) private readonly batchSize: Histogram,
    @InjectMetric(METRICS.auditRepaired) private readonly repaired: Counter,
  ) {
    this.maxBatch = config.get('AUDIT_BATCH_MAX', { infer: true });
    this.lingerMs = config.get('AUDIT_BATCH_LINGER_MS', { infer: true });
  }

  /** Writes one job's events, together with those of the other jobs that come meanwhile. */
  write(events: AuditEvent[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      this.pendingEvents += events.length;
      if (this.pendingEvents >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batches: Pending[][] = [];
    let batch: Pending[] = [];
    let size = 0;
    for (const p of this.pending) {
      if (size > 0 && size + p.events.length > this.maxBatch) {
        batches.push(batch);
        batch = [];
        size = 0;
      }
      batch.push(p);
      size += p.events.length;
    }
    if (batch.length > 0) batches.push(batch);
    this.pending = [];
    this.pendingEvents = 0;
    void this.commitEach(batches);
  }

  /**
   * Building a batch's statement (snapshots, JSON) runs on the request loop: one batch per turn
   * of the event loop, so that requests get in between and the tail latency stays low. The
   * statements themselves run side by side on the pool.
   */
  private async commitEach(batches: Pending[][]): Promise<void> {
    for (const [i, batch] of batches.entries()) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      void this.commit(batch);
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    try {
      await this.writeBatch(batch.flatMap((p) => p.events));
      batch.forEach((p) => p.resolve());
    } catch (err) {
      if (classifyFailure(err) !== 'bad-data') {
        batch.forEach((p) => p.reject(err));
        return;
      }
      // Some event spoils the batch: write each job alone, so that only its own job fails.
      for (const p of batch) await this.writeJob(p.events).then(p.resolve, p.reject);
    }
  }

  /** One job's events together; if they break a constraint, one by one, so the good ones land. */
  private async writeJob(events: AuditEvent[]): Promise<void> {
    try {
      await this.writeBatch(events);
    } catch (err) {
      if (classifyFailure(err) !== 'bad-data') throw err;
      if (events.length === 1) return this.writeAlone(events[0]);
      await this.writeEach(events);
    }
  }

  /** Each event alone; rejects with the ones that can never be written, if any. */
  private async writeEach(events: AuditEvent[]): Promise<void> {
    const unwritable: AuditEvent[] = [];
    let cause: unknown;
    for (const event of events) {
      try {
        await this.writeAlone(event);
      } catch (err) {
        if (!(err instanceof UnwritableEventsError)) throw err;
        unwritable.push(event);
        cause ??= err;
      }
    }
    if (unwritable.length > 0) throw new UnwritableEventsError(unwritable, cause);
  }

  /**
   * One event. Text PostgreSQL cannot store (NUL, a lone surrogate) that got past the edge is
   * replaced with U+FFFD, counted and logged, so that the event and the session's later versions
   * (which carry the same text) are recorded; anything else unwritable rejects with the event.
   */
  private async writeAlone(event: AuditEvent): Promise<void> {
    let cause: unknown;
    try {
      return await this.writeBatch([event]);
    } catch (err) {
      if (classifyFailure(err) !== 'bad-data') throw err;
      cause = err;
    }
    const storable = storableCopy(event);
    if (storable !== null) {
      try {
        await this.writeBatch([storable]);
        this.repaired.inc();
        this.logger.warn(
          `Audit event ${describeEvents([event])} written with unstorable text replaced: ${(cause as Error).message}`,
        );
        return;
      } catch (err) {
        if (classifyFailure(err) !== 'bad-data') throw err;
      }
    }
    throw new UnwritableEventsError([event], cause);
  }

  /**
   * One statement, so one round trip and one atomic unit: the session rows (newest version
   * each, only forward) in a data-modifying CTE, then the events. The events travel as one
   * JSON document that PostgreSQL takes apart once for both tables, which is far cheaper here
   * than array parameters; each state goes in as the JSON text it came with, never parsed or
   * rebuilt in Node.
   */
  async writeBatch(events: AuditEvent[]): Promise<void> {
    const pool = await this.db.pool();
    await pool.query({
      // Named: each connection parses and plans the statement once, not once per batch.
      name: 'synckairos-audit-write',
      text: WRITE_BATCH_SQL,
      values: [eventsDocument(events)],
    });
    const now = Date.now();
    this.written.inc(events.length);
    this.batchSize.observe(events.length);
    for (const e of events) this.lag.observe(Math.max(0, now - e.occurred_at_ms) / 1000);
  }
}

/**
 * `[{…fields, "state": <state>}, …]`. The state text is spliced in as it is: it comes from the
 * service's own JSON.stringify, through Redis, which the service trusts as it trusts its own
 * sessions there. Text that is not JSON makes the statement fail with SQLSTATE 22P02, which
 * isolates the job, then the event, like any other unwritable data.
 */
function eventsDocument(events: AuditEvent[]): string {
  let doc = '[';
  for (const [i, e] of events.entries()) {
    const fields = JSON.stringify({
      session_id: e.session_id,
      version: e.version,
      event_type: e.event_type,
      participant_id: e.participant_id,
      occurred_at_ms: e.occurred_at_ms,
      details: e.details,
    });
    doc += `${i > 0 ? ',' : ''}${fields.slice(0, -1)},"state":${e.state}}`;
  }
  return `${doc}]`;
}

/** The event with its text made storable, or null when it holds none to repair (or no JSON). */
function storableCopy(event: AuditEvent): AuditEvent | null {
  let state: unknown;
  try {
    state = JSON.parse(event.state);
  } catch {
    return null;
  }
  const storableState = toStorableJson(state);
  const details = toStorableJson(event.details) as AuditEvent['details'];
  if (storableState === state && details === event.details) return null;
  return { ...event, state: JSON.stringify(storableState), details };
}

/** Milliseconds since the epoch (a JSON number, or null) as a timestamptz. */
const at = (ms: string) => `(timestamptz 'epoch' + (${ms})::bigint * interval '1 millisecond')`;

/**
 * The session rows come from the same rows as the events: the newest event of each session
 * (DISTINCT ON, in session order: a fixed lock order, so that two workers never deadlock on
 * the same sessions), its summary read from the state. A deletion's row keeps the last state
 * and says `deleted`, completed at the deletion.
 */
const WRITE_BATCH_SQL = `
  WITH e AS MATERIALIZED (
    SELECT r.*, ${at('r.occurred_at_ms')} AS occurred_at, r.event_type = 'session_deleted' AS deleted
    FROM jsonb_to_recordset($1::jsonb) AS r(session_id varchar, version int, event_type varchar,
      participant_id varchar, occurred_at_ms bigint, details jsonb, state jsonb)
  ),
  sessions AS (
    INSERT INTO sync_sessions (session_id, sync_mode, final_status, created_at, started_at, completed_at,
      participant_count, last_version, last_state, metadata, updated_at)
    SELECT DISTINCT ON (session_id) session_id, state->>'sync_mode',
      CASE WHEN deleted THEN 'deleted' ELSE state->>'status' END,
      ${at(`state->>'created_at'`)}, ${at(`state->>'session_started_at'`)},
      CASE WHEN deleted THEN occurred_at ELSE ${at(`state->>'session_completed_at'`)} END,
      jsonb_array_length(state->'participants'), version, state,
      NULLIF(state->'metadata', 'null'::jsonb), occurred_at
    FROM e
    ORDER BY session_id, version DESC
    ON CONFLICT (session_id) DO UPDATE SET
      sync_mode = EXCLUDED.sync_mode, final_status = EXCLUDED.final_status, started_at = EXCLUDED.started_at,
      completed_at = EXCLUDED.completed_at, participant_count = EXCLUDED.participant_count,
      last_version = EXCLUDED.last_version, last_state = EXCLUDED.last_state, metadata = EXCLUDED.metadata,
      updated_at = EXCLUDED.updated_at
    WHERE sync_sessions.last_version < EXCLUDED.last_version
    RETURNING 1
  )
  INSERT INTO sync_events (session_id, version, event_type, participant_id, occurred_at, state, metadata)
  SELECT session_id, version, event_type, participant_id, occurred_at, state, details
  FROM e
  ON CONFLICT (session_id, version) DO NOTHING`;
