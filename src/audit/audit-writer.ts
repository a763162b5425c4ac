import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { toView } from '../clock/session-view';
import { Env } from '../config/env.validation';
import { METRICS } from '../metrics/metric-names';
import { AuditJobData } from './audit.constants';
import { AuditDatabase } from './audit-database';
import { classifyFailure } from './pg-errors';

interface Pending {
  job: AuditJobData;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Writes audit events in batches: the jobs the worker holds at once go to PostgreSQL in one
 * transaction (events inserted with ON CONFLICT DO NOTHING, session rows upserted only
 * forward), so the worker keeps up with the hot path and a job written twice leaves one row.
 * Each job's promise settles when its batch commits or fails.
 */
@Injectable()
export class AuditWriter {
  private readonly logger = new Logger(AuditWriter.name);
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly maxBatch: number;
  private readonly lingerMs: number;

  constructor(
    private readonly db: AuditDatabase,
    config: ConfigService<Env, true>,
    @InjectMetric(METRICS.auditEventsWritten) private readonly written: Counter,
    @InjectMetric(METRICS.auditLag) private readonly lag: Histogram,
    @InjectMetric(METRICS.auditBatchSize) private readonly batchSize: Histogram,
  ) {
    this.maxBatch = Math.min(
      config.get('AUDIT_BATCH_MAX', { infer: true }),
      config.get('AUDIT_CONCURRENCY', { infer: true }),
    );
    this.lingerMs = config.get('AUDIT_BATCH_LINGER_MS', { infer: true });
  }

  write(job: AuditJobData): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.pending.length > 0) void this.commit(this.pending.splice(0, this.maxBatch));
  }

  private async commit(batch: Pending[]): Promise<void> {
    try {
      await this.writeBatch(batch.map((p) => p.job));
      batch.forEach((p) => p.resolve());
    } catch (err) {
      if (batch.length === 1 || classifyFailure(err) !== 'bad-data') {
        batch.forEach((p) => p.reject(err));
        return;
      }
      // One job's data spoils the batch: write each alone, so only the culprit fails.
      for (const p of batch) await this.writeBatch([p.job]).then(p.resolve, p.reject);
    }
  }

  /**
   * One statement, so one round trip and one atomic unit: the session rows (newest version
   * each, only forward) in a data-modifying CTE, then the events. The rows travel as one JSON
   * document that PostgreSQL takes apart, which is far cheaper here than array parameters.
   */
  async writeBatch(jobs: AuditJobData[]): Promise<void> {
    const pool = await this.db.pool();
    const sessions = newestPerSession(jobs).map(sessionRow);
    await pool.query(WRITE_BATCH_SQL, [
      JSON.stringify(sessions),
      JSON.stringify(jobs.map(eventRow)),
    ]);
    const now = Date.now();
    this.written.inc(jobs.length);
    this.batchSize.observe(jobs.length);
    for (const job of jobs) this.lag.observe(Math.max(0, now - job.occurred_at_ms) / 1000);
  }
}

function newestPerSession(jobs: AuditJobData[]): AuditJobData[] {
  const newest = new Map<string, AuditJobData>();
  for (const job of jobs) {
    const seen = newest.get(job.session_id);
    if (!seen || seen.version < job.version) newest.set(job.session_id, job);
  }
  // A fixed lock order, so that two workers never deadlock on the same sessions.
  return [...newest.values()].sort((a, b) => (a.session_id < b.session_id ? -1 : 1));
}

const WRITE_BATCH_SQL = `
  WITH sessions AS (
    INSERT INTO sync_sessions (session_id, sync_mode, final_status, created_at, started_at, completed_at,
      participant_count, last_version, last_state, metadata, updated_at)
    SELECT session_id, sync_mode, final_status, created_at, started_at, completed_at,
      participant_count, last_version, last_state, metadata, updated_at
    FROM jsonb_to_recordset($1::jsonb) AS r(session_id varchar, sync_mode varchar, final_status varchar,
      created_at timestamptz, started_at timestamptz, completed_at timestamptz, participant_count int,
      last_version int, last_state jsonb, metadata jsonb, updated_at timestamptz)
    ON CONFLICT (session_id) DO UPDATE SET
      sync_mode = EXCLUDED.sync_mode, final_status = EXCLUDED.final_status, started_at = EXCLUDED.started_at,
      completed_at = EXCLUDED.completed_at, participant_count = EXCLUDED.participant_count,
      last_version = EXCLUDED.last_version, last_state = EXCLUDED.last_state, metadata = EXCLUDED.metadata,
      updated_at = EXCLUDED.updated_at
    WHERE sync_sessions.last_version < EXCLUDED.last_version
    RETURNING 1
  )
  INSERT INTO sync_events (session_id, version, event_type, participant_id, occurred_at, state_snapshot, metadata)
  SELECT session_id, version, event_type, participant_id, occurred_at, state_snapshot, metadata
  FROM jsonb_to_recordset($2::jsonb) AS e(session_id varchar, version int, event_type varchar,
    participant_id varchar, occurred_at timestamptz, state_snapshot jsonb, metadata jsonb)
  ON CONFLICT (session_id, version) DO NOTHING`;

function sessionRow(job: AuditJobData): Record<string, unknown> {
  const s = job.state;
  const deleted = job.event_type === 'session_deleted';
  return {
    session_id: job.session_id,
    sync_mode: s.sync_mode,
    final_status: deleted ? 'deleted' : s.status,
    created_at: iso(s.created_at),
    started_at: iso(s.session_started_at),
    completed_at: iso(deleted ? job.occurred_at_ms : s.session_completed_at),
    participant_count: s.participants.length,
    last_version: job.version,
    last_state: s,
    metadata: s.metadata ?? null,
    updated_at: iso(job.occurred_at_ms),
  };
}

function eventRow(job: AuditJobData): Record<string, unknown> {
  return {
    session_id: job.session_id,
    version: job.version,
    event_type: job.event_type,
    participant_id: job.participant_id,
    occurred_at: iso(job.occurred_at_ms),
    state_snapshot: toView(job.state, job.occurred_at_ms),
    metadata: job.details,
  };
}
