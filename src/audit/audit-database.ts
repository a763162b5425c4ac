import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Env } from '../config/env.validation';
import { buildDataSourceOptions } from '../config/typeorm.data-source';

/**
 * The audit database, connected lazily: the API must boot and serve while PostgreSQL is away
 * (Redis is the truth; the queue buffers audit writes), so the first use connects, and a
 * failed connection is tried again on the next use.
 */
@Injectable()
export class AuditDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(AuditDatabase.name);
  private readonly dataSource: DataSource;
  private connecting: Promise<DataSource> | null = null;

  constructor(config: ConfigService<Env, true>) {
    this.dataSource = new DataSource({
      ...buildDataSourceOptions(config.get('DATABASE_URL', { infer: true })),
      // Several instances may start at once: each run is one transaction, so a loser fails,
      // and its next use connects again and finds the schema in place.
      migrationsRun: config.get('DB_MIGRATIONS_RUN', { infer: true }),
    });
  }

  /** The initialized DataSource; rejects (quickly) while PostgreSQL cannot be reached. */
  get(): Promise<DataSource> {
    if (this.dataSource.isInitialized) return Promise.resolve(this.dataSource);
    this.connecting ??= this.dataSource.initialize().catch((err: Error) => {
      this.connecting = null;
      this.logger.warn(`PostgreSQL is not reachable: ${err.message}`);
      throw err;
    });
    return this.connecting;
  }

  /**
   * The connection pool under the DataSource, for the audit writer's one-statement batches:
   * the hot write skips TypeORM's per-query machinery (measured: about 7% of the API's CPU
   * under switch load).
   */
  async pool(): Promise<Pool> {
    const ds = await this.get();
    return (ds.driver as PostgresDriver).master as Pool;
  }

  get isConnected(): boolean {
    return this.dataSource.isInitialized;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
