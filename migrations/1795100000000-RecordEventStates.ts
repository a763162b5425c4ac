import { MigrationInterface, QueryRunner } from 'typeorm';
import type { ClockState } from '@synckairos/clock';
import { toView } from '@synckairos/clock';

/**
 * Events record the stored state (anchors included) instead of the public snapshot: the worker
 * writes the state text as the compare-and-set made it, without parsing or rebuilding it, and
 * the snapshot is computed when the trail is read (a pure function of the state and the
 * instant). Rows written before keep their snapshot; every row has one or the other.
 */
export class RecordEventStates1795100000000 implements MigrationInterface {
  name = 'RecordEventStates1795100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_events ADD COLUMN state jsonb NULL`);
    await q.query(`ALTER TABLE sync_events ALTER COLUMN state_snapshot DROP NOT NULL`);
    // NOT VALID, then VALIDATE: the check of the existing rows does not block writers.
    await q.query(`
      ALTER TABLE sync_events ADD CONSTRAINT ck_sync_events_state
        CHECK (state IS NOT NULL OR state_snapshot IS NOT NULL) NOT VALID`);
    await q.query(`ALTER TABLE sync_events VALIDATE CONSTRAINT ck_sync_events_state`);
  }

  /** Gives the rows written since their snapshot back, computed as the trail would show it. */
  async down(q: QueryRunner): Promise<void> {
    for (;;) {
      const rows = (await q.query(
        `SELECT id, state, occurred_at FROM sync_events WHERE state_snapshot IS NULL LIMIT 500`,
      )) as { id: string; state: ClockState; occurred_at: Date }[];
      if (rows.length === 0) break;
      const snapshots = rows.map((r) => ({
        id: r.id,
        snapshot: toView(r.state, r.occurred_at.getTime()),
      }));
      await q.query(
        `UPDATE sync_events AS t SET state_snapshot = u.snapshot
         FROM jsonb_to_recordset($1::jsonb) AS u(id bigint, snapshot jsonb) WHERE t.id = u.id`,
        [JSON.stringify(snapshots)],
      );
    }
    await q.query(`ALTER TABLE sync_events DROP CONSTRAINT ck_sync_events_state`);
    await q.query(`ALTER TABLE sync_events ALTER COLUMN state_snapshot SET NOT NULL`);
    await q.query(`ALTER TABLE sync_events DROP COLUMN state`);
  }
}
