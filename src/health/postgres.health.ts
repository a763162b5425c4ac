import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AuditDatabase } from '../audit/audit-database';
import { withTimeout } from '../common/time/with-timeout';

const QUERY_TIMEOUT_MS = 1000;

/** PostgreSQL holds the audit trail only: reported, never a reason to stop serving. */
@Injectable()
export class PostgresHealthIndicator {
  constructor(
    private readonly db: AuditDatabase,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'postgres'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const started = Date.now();
    try {
      await withTimeout(
        this.db.pool().then((pool) => pool.query('SELECT 1')),
        QUERY_TIMEOUT_MS,
      );
      return indicator.up({ latency_ms: Date.now() - started });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}
