import { DataSource, DataSourceOptions } from 'typeorm';
import { CreateAuditTables1795000000000 } from '../../migrations/1795000000000-CreateAuditTables';
import { RecordEventStates1795100000000 } from '../../migrations/1795100000000-RecordEventStates';
import { CreateWebhookDeliveries1797000000000 } from '../../migrations/1797000000000-CreateWebhookDeliveries';
import { SyncEvent } from '../audit/entities/sync-event.entity';
import { SyncSession } from '../audit/entities/sync-session.entity';
import { WebhookDelivery } from '../webhooks/entities/webhook-delivery.entity';
import { validateEnv } from './env.validation';

/**
 * The one description of the audit database, used by the Nest module and by the TypeORM CLI
 * (`npm run migration:run`). `synchronize` is never on: the schema is the migrations'.
 */
export function buildDataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [SyncSession, SyncEvent, WebhookDelivery],
    migrations: [
      CreateAuditTables1795000000000,
      RecordEventStates1795100000000,
      CreateWebhookDeliveries1797000000000,
    ],
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    logging: false,
    extra: { max: 10, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000 },
  };
}

/** For the TypeORM CLI only. */
export default new DataSource(buildDataSourceOptions(validateEnv(process.env).DATABASE_URL));
