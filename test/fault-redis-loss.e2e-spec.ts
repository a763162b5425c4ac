import { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { Api, uneven } from './support/api';
import { startApp, uniqueId } from './support/e2e-app';
import { OwnRedis } from './support/own-redis';
import { OwnPostgres } from './support/own-postgres';
import { waitUntil } from './support/wait';

/**
 * A Redis of the test's own restarted empty, with PostgreSQL up and with PostgreSQL away first:
 * a ledger of every acknowledged answer, and afterwards no version number reused with other
 * content, no 404 for a session that exists, and the loss said out loud.
 */
describe('Redis restarted empty', () => {
  const redis = new OwnRedis();
  const postgres = new OwnPostgres();
  let app: INestApplication;
  let api: Api;
  let pg: Pool;
  /** session → version → the active participant the answer showed. */
  const ledger = new Map<string, Map<number, string | null>>();

  const acknowledge = (data: {
    session_id: string;
    version: number;
    active_participant_id: string | null;
  }) => {
    if (!ledger.has(data.session_id)) ledger.set(data.session_id, new Map());
    ledger.get(data.session_id)!.set(data.version, data.active_participant_id);
  };
  const newest = (id: string) => Math.max(...ledger.get(id)!.keys());

  beforeAll(async () => {
    await redis.start();
    await postgres.start();
    app = await startApp({
      REDIS_URL: redis.url,
      DATABASE_URL: postgres.url,
      RATE_LIMIT_ENABLED: 'false',
    });
    api = new Api(app.getHttpServer());
    // A pool: its connections die with the server and are opened again after the restart.
    pg = new Pool({ connectionString: postgres.url });
    pg.on('error', () => undefined);
  });

  afterAll(async () => {
    await app?.close();
    await redis.kill();
    await pg?.end();
    await postgres.cleanup();
  });

  /** Every version PostgreSQL holds of `id` shows what its answer showed, if it was answered. */
  async function expectNoContradiction(id: string): Promise<void> {
    const rows = await pg.query<{ version: number; active: string | null }>(
      `SELECT version, state->>'active_participant_id' AS active FROM sync_events WHERE session_id = $1`,
      [id],
    );
    for (const row of rows.rows) {
      const answered = ledger.get(id)!.get(row.version);
      if (answered !== undefined)
        expect([row.version, row.active]).toEqual([row.version, answered]);
    }
  }

  it('with PostgreSQL up: sessions come back in a new epoch, the loss is reported', async () => {
    const ids = [uniqueId('loss'), uniqueId('loss')];
    for (const id of ids) {
      acknowledge((await api.create(uneven(id, 600_000, 300_000)).expect(201)).body.data);
      acknowledge((await api.command(id, 'start').expect(200)).body.data);
      for (let i = 0; i < 5; i++)
        acknowledge((await api.command(id, 'switch').expect(200)).body.data);
    }
    await waitUntil(
      async () =>
        (
          await pg.query('SELECT count(*)::int AS n FROM sync_events WHERE session_id = ANY($1)', [
            ids,
          ])
        ).rows[0].n,
      (n) => n === 14,
    );

    await redis.kill();
    await redis.start(); // the same port, nothing in it

    for (const id of ids) {
      const back = await waitUntil(
        async () => await api.get(id),
        (res) => res.status === 200,
        15_000,
        200,
      );
      expect(back.body.data.version).toBeGreaterThanOrEqual(newest(id) + 100_000);
      acknowledge(back.body.data);
      acknowledge((await api.command(id, 'switch').expect(200)).body.data);
      await expectNoContradiction(id);
    }
    const ready = await waitUntil(
      async () => (await api.raw().get('/ready')).body,
      (body) => body.info?.redis?.data_loss_detected_at !== undefined,
      10_000,
      200,
    );
    expect(ready.info.redis.data_loss_detected_at).toEqual(expect.any(String));
  }, 60_000);

  it('with PostgreSQL away first: 503 until it is back, then no acknowledged version reused', async () => {
    const id = uniqueId('loss-pg');
    acknowledge((await api.create(uneven(id, 600_000, 300_000)).expect(201)).body.data);
    acknowledge((await api.command(id, 'start').expect(200)).body.data);
    await waitUntil(
      async () =>
        (await pg.query('SELECT count(*)::int AS n FROM sync_events WHERE session_id = $1', [id]))
          .rows[0].n,
      (n) => n === 2,
    );
    await postgres.stop();
    // Acknowledged while PostgreSQL is away: only Redis has them, and Redis is about to go.
    for (let i = 0; i < 6; i++)
      acknowledge((await api.command(id, 'switch').expect(200)).body.data);
    await redis.kill();
    await redis.start();

    const unknown = await waitUntil(
      async () => await api.get(id),
      (res) => res.status !== 500 && res.status !== 0,
      15_000,
      200,
    );
    expect(unknown.status).toBe(503);
    expect(unknown.body.error.code).toBe('UNAVAILABLE');

    await postgres.restart();
    const back = await waitUntil(
      async () => await api.get(id),
      (res) => res.status === 200,
      20_000,
      200,
    );
    // Restored from version 2, the newest recorded: past every version that was answered.
    expect(back.body.data.version).toBeGreaterThan(newest(id));
    const restored = await waitUntil(
      async () =>
        (
          await pg.query(
            `SELECT version, metadata FROM sync_events WHERE session_id = $1 AND event_type = 'session_restored'`,
            [id],
          )
        ).rows,
      (r) => r.length === 1,
    );
    expect(restored[0]).toMatchObject({
      version: back.body.data.version,
      metadata: { restored_from_version: 2, possibly_lost_after_version: 2 },
    });
    await expectNoContradiction(id);
  }, 60_000);
});
