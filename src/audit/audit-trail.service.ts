import { Injectable } from '@nestjs/common';
import { MoreThan } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { SessionStore } from '../state/session-store';
import { AuditDatabase } from './audit-database';
import { SyncEvent } from './entities/sync-event.entity';

export interface AuditEventView {
  session_id: string;
  version: number;
  event_type: string;
  participant_id: string | null;
  occurred_at: string;
  state_snapshot: SyncEvent['state_snapshot'];
  metadata: Record<string, unknown> | null;
}

/** Reads a session's audit trail, oldest first. */
@Injectable()
export class AuditTrailService {
  constructor(
    private readonly db: AuditDatabase,
    private readonly store: SessionStore,
  ) {}

  async list(sessionId: string, afterVersion: number, limit: number): Promise<AuditEventView[]> {
    const repo = (await this.connected()).getRepository(SyncEvent);
    const events = await repo.find({
      where: { session_id: sessionId, version: MoreThan(afterVersion) },
      order: { version: 'ASC' },
      take: limit,
    });
    if (events.length === 0 && !(await this.sessionIsKnown(sessionId)))
      throw DomainError.notFound(sessionId);
    return events.map(toEventView);
  }

  private async sessionIsKnown(sessionId: string): Promise<boolean> {
    const ds = await this.connected();
    if (await ds.getRepository(SyncEvent).existsBy({ session_id: sessionId })) return true;
    return (await this.store.get(sessionId)).kind === 'live';
  }

  private async connected() {
    try {
      return await this.db.get();
    } catch {
      throw new DomainError('UNAVAILABLE', 'the audit trail is unavailable, try again shortly');
    }
  }
}

function toEventView(e: SyncEvent): AuditEventView {
  return {
    session_id: e.session_id,
    version: e.version,
    event_type: e.event_type,
    participant_id: e.participant_id,
    occurred_at: e.occurred_at.toISOString(),
    state_snapshot: e.state_snapshot,
    metadata: e.metadata,
  };
}
