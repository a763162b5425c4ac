import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MoreThan } from 'typeorm';
import { SessionView, toView } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { Env } from '../config/env.validation';
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

export interface AuditEventsPage {
  events: AuditEventView[];
  /** More events are recorded after the last one of this page. */
  more: boolean;
}

/**
 * Reads a session's audit trail, oldest first, a page at a time: at most `limit` events and
 * about EVENTS_PAGE_MAX_BYTES of JSON (at least one event). The first event's size tells how
 * many of the following ones to fetch (a session's snapshots are about the same size), so a page
 * of a session with a thousand participants costs what its bytes cost, not what `limit` says.
 */
@Injectable()
export class AuditTrailService {
  private readonly maxBytes: number;

  constructor(
    private readonly db: AuditDatabase,
    private readonly store: SessionStore,
    config: ConfigService<Env, true>,
  ) {
    this.maxBytes = config.get('EVENTS_PAGE_MAX_BYTES', { infer: true });
  }

  async list(sessionId: string, afterVersion: number, limit: number): Promise<AuditEventsPage> {
    const [first] = await this.fetch(sessionId, afterVersion, 1);
    if (first === undefined) {
      if (!(await this.sessionIsKnown(sessionId))) throw DomainError.notFound(sessionId);
      return { events: [], more: false };
    }
    const events = [toEventView(first)];
    let bytes = byteSize(events[0]);
    // One more than may fit, to know whether the page was cut.
    const fits = Math.min(limit - 1, Math.floor((this.maxBytes - bytes) / bytes));
    const rest = await this.fetch(sessionId, first.version, Math.max(0, fits) + 1);
    for (const row of rest) {
      if (events.length >= limit) break;
      const view = toEventView(row);
      const size = byteSize(view);
      if (bytes + size > this.maxBytes) break;
      events.push(view);
      bytes += size;
    }
    return { events, more: rest.length > events.length - 1 };
  }

  private async fetch(sessionId: string, afterVersion: number, take: number) {
    const repo = (await this.connected()).getRepository(SyncEvent);
    return repo.find({
      where: { session_id: sessionId, version: MoreThan(afterVersion) },
      order: { version: 'ASC' },
      take,
    });
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

const byteSize = (view: AuditEventView) => Buffer.byteLength(JSON.stringify(view));

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
