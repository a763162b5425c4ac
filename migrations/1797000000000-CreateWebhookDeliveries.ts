import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per webhook delivery attempt (contract section 9), listed per session, oldest first,
 * by `GET /v1/sessions/:id/webhook-deliveries`: the index serves that page by page.
 */
export class CreateWebhookDeliveries1797000000000 implements MigrationInterface {
  name = 'CreateWebhookDeliveries1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id               bigserial     PRIMARY KEY,
        event_id         varchar(200)  NOT NULL,
        session_id       varchar(64)   NOT NULL,
        version          integer       NOT NULL,
        event_type       varchar(32)   NOT NULL,
        attempt          integer       NOT NULL,
        status           varchar(16)   NOT NULL,
        response_code    integer       NULL,
        error            varchar(200)  NULL,
        response_excerpt varchar(512)  NULL,
        url              varchar(2048) NOT NULL,
        duration_ms      integer       NOT NULL,
        attempted_at     timestamptz   NOT NULL,
        next_try_at      timestamptz   NULL,
        CONSTRAINT ck_webhook_deliveries_status CHECK (status IN ('succeeded', 'failed', 'given_up'))
      )`);
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_session ON webhook_deliveries (session_id, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
  }
}
