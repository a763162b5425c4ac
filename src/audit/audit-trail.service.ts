import { Injectable } from '@nestjs/common';
import { MoreThan } from 'typeorm';
import { SessionView, toView } from '../clock/session-view';
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
  state_snapshot: SessionView;
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
    state_snapshot: snapshotOf(e),
    metadata: e.metadata,
  };
}

/** The session as clients saw it at the event's instant. */
function snapshotOf(e: SyncEvent): SessionView {
  if (e.state) return toView(e.state, e.occurred_at.getTime());
  if (e.state_snapshot) return e.state_snapshot;
  throw new Error(`audit event ${e.session_id} v${e.version} has neither state nor snapshot`);
}
