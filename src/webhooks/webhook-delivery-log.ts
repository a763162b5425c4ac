import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { MoreThan } from 'typeorm';
import { AuditDatabase } from '../audit/audit-database';
import { SyncSession } from '../audit/entities/sync-session.entity';
import { DomainError } from '../common/errors/domain-error';
import { withTimeout } from '../common/time/with-timeout';
import { METRICS } from '../metrics/metric-names';
import { SessionStore } from '../state/session-store';
import { WebhookDelivery } from './entities/webhook-delivery.entity';

/** How long recording an attempt may wait for PostgreSQL before the delivery goes on without it. */
const RECORD_TIMEOUT_MS = 3000;

export type DeliveryRow = Omit<WebhookDelivery, 'id'>;

/** An attempt as `GET /v1/sessions/:id/webhook-deliveries` shows it. */
export interface DeliveryView {
  id: number;
  event_id: string;
  session_id: string;
  version: number;
  type: string;
  attempt: number;
  status: string;
  response_code: number | null;
  error: string | null;
  response_excerpt: string | null;
  url: string;
  duration_ms: number;
  attempted_at: string;
  next_try_at: string | null;
}

/**
 * The attempts table. Recording never holds a delivery back: while PostgreSQL is away the
 * deliveries go on and their rows are lost (logged and counted), since the receiver matters
 * more than the log of it.
 */
@Injectable()
export class WebhookDeliveryLog {
  private readonly logger = new Logger(WebhookDeliveryLog.name);

  constructor(
    private readonly db: AuditDatabase,
    private readonly store: SessionStore,
    @InjectMetric(METRICS.webhookUnrecorded) private readonly unrecorded: Counter,
  ) {}

  async record(row: DeliveryRow): Promise<void> {
    try {
      const ds = await withTimeout(this.db.get(), RECORD_TIMEOUT_MS);
      await withTimeout(ds.getRepository(WebhookDelivery).insert(row), RECORD_TIMEOUT_MS);
    } catch (err) {
      this.unrecorded.inc();
      this.logger.warn(
        `Attempt ${row.attempt} of ${row.event_id} not recorded: ${(err as Error).message}`,
      );
    }
  }

  async list(sessionId: string, afterId: number, limit: number): Promise<DeliveryView[]> {
    const ds = await this.connected();
    const rows = await ds.getRepository(WebhookDelivery).find({
      where: { session_id: sessionId, id: MoreThan(String(afterId)) },
      order: { id: 'ASC' },
      take: limit,
    });
    if (rows.length === 0 && !(await this.sessionIsKnown(sessionId)))
      throw DomainError.notFound(sessionId);
    return rows.map(toView);
  }

  private async sessionIsKnown(sessionId: string): Promise<boolean> {
    if ((await this.store.get(sessionId)).kind !== 'missing') return true;
    const ds = await this.connected();
    return ds.getRepository(SyncSession).existsBy({ session_id: sessionId });
  }

  private async connected() {
    try {
      return await this.db.get();
    } catch {
      throw new DomainError('UNAVAILABLE', 'the delivery log is unavailable, try again shortly');
    }
  }
}

function toView(row: WebhookDelivery): DeliveryView {
  return {
    id: Number(row.id),
    event_id: row.event_id,
    session_id: row.session_id,
    version: row.version,
    type: row.event_type,
    attempt: row.attempt,
    status: row.status,
    response_code: row.response_code,
    error: row.error,
    response_excerpt: row.response_excerpt,
    url: row.url,
    duration_ms: row.duration_ms,
    attempted_at: row.attempted_at.toISOString(),
    next_try_at: row.next_try_at === null ? null : row.next_try_at.toISOString(),
  };
}
