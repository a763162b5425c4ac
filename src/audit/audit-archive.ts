import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { FINAL_STATUSES, SessionStatus } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { withTimeout } from '../common/time/with-timeout';
import { Env } from '../config/env.validation';
import { ArchivedDeletion, ArchivedSession, SessionArchive } from '../state/session-archive';
import { SessionTtlPolicy } from '../state/session-ttl.policy';
import { deletionEventOf } from './audit-events';
import { AuditDatabase } from './audit-database';
import { AuditWriter } from './audit-writer';
import { SyncSession } from './entities/sync-session.entity';

/**
 * The audit trail as the state path's memory: when Redis has lost a session, its newest
 * snapshot comes back from `sync_sessions` (unless it was deleted, or finished longer ago
 * than the retention). PostgreSQL never blocks a request for long: past the timeout, or on
 * any error, the answer is 503 UNAVAILABLE, never "not known".
 */
@Injectable()
export class AuditArchive implements SessionArchive {
  private readonly logger = new Logger(AuditArchive.name);
  private readonly timeoutMs: number;

  constructor(
    private readonly db: AuditDatabase,
    private readonly writer: AuditWriter,
    private readonly ttl: SessionTtlPolicy,
    config: ConfigService<Env, true>,
  ) {
    this.timeoutMs = config.get('ARCHIVE_TIMEOUT_MS', { infer: true });
  }

  async findRestorable(sessionId: string): Promise<ArchivedSession | null> {
    const row = await this.find(sessionId);
    if (!row || row.final_status === 'deleted') return null;
    const state = row.last_state;
    if (FINAL_STATUSES.has(row.final_status as SessionStatus)) {
      const endedAt = state.session_completed_at ?? row.updated_at.getTime();
      if (endedAt + this.ttl.retentionMs <= Date.now()) return null;
    }
    return { state, lastVersion: Math.max(row.last_version, state.version) };
  }

  async hasHistory(sessionId: string): Promise<boolean> {
    return (await this.find(sessionId)) !== null;
  }

  async recordDeletion(deletion: ArchivedDeletion): Promise<void> {
    await this.ask(deletion.sessionId, () => this.writer.writeBatch([deletionEventOf(deletion)]));
  }

  private find(sessionId: string): Promise<SyncSession | null> {
    return this.ask(sessionId, () =>
      this.db
        .get()
        .then((ds) => ds.getRepository(SyncSession).findOneBy({ session_id: sessionId })),
    );
  }

  private async ask<T>(sessionId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(call(), this.timeoutMs);
    } catch (err) {
      this.logger.warn(`Audit trail not available for ${sessionId}: ${(err as Error).message}`);
      throw new DomainError(
        'UNAVAILABLE',
        'the audit trail cannot be reached to decide about this session; try again shortly',
      );
    }
  }
}
