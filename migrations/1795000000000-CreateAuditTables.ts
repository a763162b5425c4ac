import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: one row per session (its newest snapshot and summary) and one row per state
 * change. (session_id, version) is unique, which makes a job written twice a no-op; its index
 * also serves "a session's events in order".
 */
export class CreateAuditTables1795000000000 implements MigrationInterface {
  name = 'CreateAuditTables1795000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sync_sessions (
        session_id        varchar(64)  PRIMARY KEY,
        sync_mode         varchar(32)  NOT NULL,
        final_status      varchar(16)  NOT NULL,
        created_at        timestamptz  NOT NULL,
        started_at        timestamptz  NULL,
        completed_at      timestamptz  NULL,
        participant_count integer      NOT NULL,
        last_version      integer      NOT NULL,
        last_state        jsonb        NOT NULL,
        metadata          jsonb        NULL,
        updated_at        timestamptz  NOT NULL
      )`);
    await q.query(`
      CREATE TABLE sync_events (
        id             bigserial    PRIMARY KEY,
        session_id     varchar(64)  NOT NULL,
        version        integer      NOT NULL,
        event_type     varchar(32)  NOT NULL,
        participant_id varchar(64)  NULL,
        occurred_at    timestamptz  NOT NULL,
        state_snapshot jsonb        NOT NULL,
        metadata       jsonb        NULL,
        recorded_at    timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT uq_sync_events_session_version UNIQUE (session_id, version)
      )`);
    await q.query(`CREATE INDEX ix_sync_events_type_time ON sync_events (event_type, occurred_at)`);
    await q.query(
      `CREATE INDEX ix_sync_sessions_status_updated ON sync_sessions (final_status, updated_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sync_events`);
    await q.query(`DROP TABLE sync_sessions`);
  }
}
