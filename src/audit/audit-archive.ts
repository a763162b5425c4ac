import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ClockState, FINAL_STATUSES, SessionStatus } from '@synckairos/clock';
import { Env } from '../config/env.validation';
import { withTimeout } from '../common/time/with-timeout';
import { SessionArchive } from '../sessions/session-archive';
import { SessionTtlPolicy } from '../state/session-ttl.policy';
import { AuditDatabase } from './audit-database';
import { SyncSession } from './entities/sync-session.entity';

/**
 * The audit trail as the state path's memory: when Redis has lost a session, its newest
 * snapshot comes back from `sync_sessions` (unless it was deleted, or finished longer ago
 * than the retention). PostgreSQL never blocks the request for long: past the timeout, the
 * answer is "not known".
 */
@Injectable()
export class AuditArchive implements SessionArchive {
  private readonly logger = new Logger(AuditArchive.name);
  private readonly timeoutMs: number;

  constructor(
    private readonly db: AuditDatabase,
    private readonly ttl: SessionTtlPolicy,
    config: ConfigService<Env, true>,
  ) {
    this.timeoutMs = config.get('ARCHIVE_TIMEOUT_MS', { infer: true });
  }

  async findRestorable(sessionId: string): Promise<ClockState | null> {
    const row = await this.find(sessionId);
    if (!row || row.final_status === 'deleted') return null;
    const state = row.last_state;
    if (FINAL_STATUSES.has(row.final_status as SessionStatus)) {
      const endedAt = state.session_completed_at ?? row.updated_at.getTime();
      if (endedAt + this.ttl.retentionMs <= Date.now()) return null;
    }
    return state;
  }

  async hasHistory(sessionId: string): Promise<boolean> {
    return (await this.find(sessionId)) !== null;
  }

  private async find(sessionId: string): Promise<SyncSession | null> {
    try {
      return await withTimeout(
        this.db
          .get()
          .then((ds) => ds.getRepository(SyncSession).findOneBy({ session_id: sessionId })),
        this.timeoutMs,
      );
    } catch (err) {
      this.logger.warn(`Audit trail not available for ${sessionId}: ${(err as Error).message}`);
      return null;
    }
  }
}
