import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client, Pool } from 'pg';
import { AUDIT_JOB, AUDIT_QUEUE, AuditEvent } from '../src/audit/audit.constants';
import { AuditWriter } from '../src/audit/audit-writer';
import { createSession, toView } from '@synckairos/clock';
import { REDIS_CLIENT } from '../src/state/redis.constants';
import { SessionKeys } from '../src/state/session-keys';
import { Api, chess } from './support/api';
import { cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { OwnPostgres } from './support/own-postgres';
import { waitUntil } from './support/wait';

const DB_URL = process.env.DATABASE_URL as string;

describe('AuditModule: every change lands in PostgreSQL exactly once', () => {
  let app: INestApplication;
  let api: Api;
  let pg: Client;

  const eventsOf = async (id: string) =>
    (
      await pg.query<{
        version: number;
        event_type: string;
        occurred_at: Date;
        participant_id: string | null;
      }>(
        'SELECT version, event_type, occurred_at, participant_id FROM sync_events WHERE session_id = $1 ORDER BY version',
        [id],
      )
    ).rows;

  const sessionRow = async (id: string) =>
    (await pg.query('SELECT * FROM sync_sessions WHERE session_id = $1', [id])).rows[0] as
      Record<string, unknown> | undefined;

  beforeAll(async () => {
    app = await startApp();
    api = new Api(app.getHttpServer());
    pg = new Client({ connectionString: DB_URL });
    await pg.connect();
  });

  afterAll(async () => {
    await app.close();
    await pg.end();
    await cleanRedis();
  });

  it('records a whole session, in order, one row per version, with the instants of the state', async () => {
    const id = uniqueId('audit');
    const created = (
      await api.create(chess(id, 60_000, { increment_ms: 500, metadata: { table: 7 } })).expect(201)
    ).body.data;
    const started = (await api.command(id, 'start').expect(200)).body.data;
    const switched = (await api.command(id, 'switch').expect(200)).body.data;
    await api.command(id, 'pause').expect(200);
    await api.command(id, 'resume').expect(200);
    const completed = (await api.command(id, 'complete').expect(200)).body.data;

    const rows = await waitUntil(
      () => eventsOf(id),
      (r) => r.length === 6,
    );
    expect(rows.map((r) => [r.version, r.event_type])).toEqual([
      [1, 'session_created'],
      [2, 'session_started'],
      [3, 'cycle_switched'],
      [4, 'session_paused'],
      [5, 'session_resumed'],
      [6, 'session_completed'],
    ]);
    expect(rows[1].occurred_at.toISOString()).toBe(started.session_started_at);
    expect(rows[2].occurred_at.toISOString()).toBe(switched.cycle_started_at);
    expect(rows[2].participant_id).toBe('white');
    expect(rows[5].occurred_at.toISOString()).toBe(completed.session_completed_at);

    const res = await api.raw().get(`/v1/sessions/${id}/events`).expect(200);
    expect(res.body.data).toHaveLength(6);
    expect(res.body.data[2]).toMatchObject({
      session_id: id,
      version: 3,
      event_type: 'cycle_switched',
      participant_id: 'white',
      occurred_at: switched.cycle_started_at,
      metadata: { next_participant_id: 'black' },
    });
    expect(res.body.data[2].state_snapshot).toMatchObject({
      version: 3,
      active_participant_id: 'black',
      participants: switched.participants,
    });

    const row = await waitUntil(
      () => sessionRow(id),
      (r) => r?.last_version === 6,
    );
    expect(row).toMatchObject({
      sync_mode: 'per_participant',
      final_status: 'completed',
      participant_count: 2,
      last_version: 6,
      metadata: { table: 7 },
      last_state: { version: 6, status: 'completed', metadata: { table: 7 } },
    });
    const iso = (column: string) => (row?.[column] as Date).toISOString();
    expect(iso('created_at')).toBe(created.created_at);
    expect(iso('started_at')).toBe(started.session_started_at);
    expect(iso('completed_at')).toBe(completed.session_completed_at);
    expect(iso('updated_at')).toBe(completed.session_completed_at);
  });

  it('records the expiry found by a read, at its instant, and the deletion', async () => {
    const id = uniqueId('audit-exp');
    await api.create(chess(id, 1000)).expect(201);
    await api.command(id, 'start').expect(200);
    await sleep(1100);
    const expired = (await api.get(id).expect(200)).body.data;
    await api.delete(id).expect(204);
    const rows = await waitUntil(
      () => eventsOf(id),
      (r) => r.length === 4,
    );
    expect(rows.map((r) => r.event_type)).toEqual([
      'session_created',
      'session_started',
      'session_expired',
      'session_deleted',
    ]);
    expect(rows[2].occurred_at.toISOString()).toBe(expired.session_completed_at);
    const row = await waitUntil(
      () => sessionRow(id),
      (r) => r?.last_version === 4,
    );
    expect(row).toMatchObject({
      final_status: 'deleted',
      metadata: null,
      started_at: expect.any(Date),
    });
    // Deleted at the deletion's instant, with the last state kept.
    expect(row?.completed_at).toEqual(rows[3].occurred_at);
    expect(row?.last_state).toMatchObject({ version: 3, status: 'expired' });
  });

  describe('GET /v1/sessions/:id/events', () => {
    let id: string;
    beforeAll(async () => {
      id = uniqueId('page');
      await api.create(chess(id)).expect(201);
      await api.command(id, 'start').expect(200);
      for (let i = 0; i < 5; i++) await api.command(id, 'switch').expect(200);
      await waitUntil(
        () => eventsOf(id),
        (r) => r.length === 7,
      );
    });

    it('pages with after_version and limit, oldest first', async () => {
      const res = await api
        .raw()
        .get(`/v1/sessions/${id}/events?after_version=2&limit=3`)
        .expect(200);
      expect(res.body.data.map((e: { version: number }) => e.version)).toEqual([3, 4, 5]);
      const rest = await api.raw().get(`/v1/sessions/${id}/events?after_version=5`).expect(200);
      expect(rest.body.data.map((e: { version: number }) => e.version)).toEqual([6, 7]);
    });

    it.each([
      'limit=501',
      'limit=0',
      'limit=abc',
      'after_version=-1',
      'after_version=1.5',
      'other=1',
    ])('refuses %s with 400', async (query) => {
      const res = await api.raw().get(`/v1/sessions/${id}/events?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    });

    it('answers 404 when there is neither a live session nor any event', async () => {
      const res = await api.raw().get(`/v1/sessions/${uniqueId('none')}/events`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('SESSION_NOT_FOUND');
    });

    it('shows rows recorded before states were kept with the snapshot they were stored with', async () => {
      const old = uniqueId('old-row');
      const snapshot = { session_id: old, version: 1, status: 'pending', note: 'as stored' };
      await pg.query(
        `INSERT INTO sync_events (session_id, version, event_type, occurred_at, state_snapshot)
         VALUES ($1, 1, 'session_created', now(), $2)`,
        [old, JSON.stringify(snapshot)],
      );
      const res = await api.raw().get(`/v1/sessions/${old}/events`).expect(200);
      expect(res.body.data).toEqual([
        expect.objectContaining({ version: 1, state_snapshot: snapshot }),
      ]);
    });

    it('answers an empty page past the end', async () => {
      const res = await api.raw().get(`/v1/sessions/${id}/events?after_version=100`).expect(200);
      expect(res.body.data).toEqual([]);
    });
  });

  describe('exactly once', () => {
    const job = (id: string, version: number): AuditEvent => {
      const { state } = createSession(
        {
          session_id: id,
          sync_mode: 'global',
          participants: [{ participant_id: 'a' }],
          total_time_ms: 60_000,
        },
        Date.now(),
      );
      return {
        session_id: id,
        version,
        event_type: version === 1 ? 'session_created' : 'time_added',
        participant_id: null,
        occurred_at_ms: Date.now(),
        details: null,
        state: JSON.stringify({ ...state, version }),
      };
    };

    it('a job written twice leaves one row', async () => {
      const writer = app.get(AuditWriter);
      const id = uniqueId('twice');
      await writer.writeBatch([job(id, 1)]);
      await writer.writeBatch([job(id, 1), job(id, 1)]);
      expect(await eventsOf(id)).toHaveLength(1);
    });

    it('a job processed twice through the queue leaves one row', async () => {
      const queue = app.get<Queue>(getQueueToken(AUDIT_QUEUE));
      const id = uniqueId('redelivered');
      const data = { events: [job(id, 1), job(id, 2)] };
      await queue.add(AUDIT_JOB, data, { jobId: 'first-delivery-' + id });
      await queue.add(AUDIT_JOB, data, { jobId: 'second-delivery-' + id });
      await waitUntil(
        () => queue.getJobCounts('waiting', 'active'),
        (c) => c.waiting + c.active === 0,
      );
      await sleep(100);
      expect((await eventsOf(id)).map((e) => e.version)).toEqual([1, 2]);
    });

    it('a job retried after part of it was written writes the rest, each once', async () => {
      const writer = app.get(AuditWriter);
      const id = uniqueId('partial');
      await writer.writeBatch([job(id, 1)]);
      await writer.write([job(id, 1), job(id, 2), job(id, 3)]);
      expect((await eventsOf(id)).map((e) => e.version)).toEqual([1, 2, 3]);
      expect((await sessionRow(id))?.last_version).toBe(3);
    });

    it('a job of the earlier one-event shape is still recorded', async () => {
      const queue = app.get<Queue>(getQueueToken(AUDIT_QUEUE));
      const id = uniqueId('legacy');
      // Before the state travelled as text, it was an object.
      const legacy = job(id, 1);
      await queue.add('state-change', { ...legacy, state: JSON.parse(legacy.state) as unknown });
      const batched = job(id, 2);
      await queue.add(AUDIT_JOB, { events: [{ ...batched, state: JSON.parse(batched.state) }] });
      await waitUntil(
        () => eventsOf(id),
        (rows) => rows.length === 2,
      );
      expect((await sessionRow(id))?.last_state).toEqual(JSON.parse(batched.state));
    });

    it('the session row never goes back to an older version', async () => {
      const writer = app.get(AuditWriter);
      const id = uniqueId('forward');
      await writer.writeBatch([job(id, 5)]);
      await writer.writeBatch([job(id, 3)]);
      expect((await sessionRow(id))?.last_version).toBe(5);
      expect((await eventsOf(id)).map((e) => e.version)).toEqual([3, 5]);
    });

    it('data no retry can fix fails its own job at once; the rest of the batch is written', async () => {
      const writer = app.get(AuditWriter);
      const good = uniqueId('good');
      const bad = { ...job(uniqueId('bad'), 1), participant_id: 'x'.repeat(100) };
      const garbled = { ...job(uniqueId('garbled'), 1), state: '{"status":' };
      const results = await Promise.allSettled([
        writer.write([job(good, 1)]),
        writer.write([bad]),
        writer.write([garbled]),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
      expect(await eventsOf(good)).toHaveLength(1);
      expect(await eventsOf(garbled.session_id)).toEqual([]);

      const queue = app.get<Queue>(getQueueToken(AUDIT_QUEUE));
      const neighbour = uniqueId('neighbour');
      const jobId = 'unfixable-' + bad.session_id;
      await queue.add(
        AUDIT_JOB,
        { events: [job(neighbour, 1), bad, job(neighbour, 2)] },
        { jobId, attempts: 10, backoff: { type: 'fixed', delay: 10 } },
      );
      const failed = await waitUntil(
        () => queue.getJob(jobId),
        (j) => j?.failedReason !== undefined && j.finishedOn !== undefined,
      );
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toContain(`${bad.session_id} v1`);
      expect((await eventsOf(neighbour)).map((e) => e.version)).toEqual([1, 2]);
      expect(await eventsOf(bad.session_id)).toEqual([]);
    });
  });

  it('migrations go up, down and up again cleanly', async () => {
    const { DataSource } = await import('typeorm');
    const { buildDataSourceOptions } = await import('../src/config/typeorm.data-source');
    const scratch = `synckairos_migrations_${process.pid}`;
    await pg.query(`DROP DATABASE IF EXISTS ${scratch}`);
    await pg.query(`CREATE DATABASE ${scratch}`);
    const url = new URL(DB_URL);
    url.pathname = `/${scratch}`;
    const ds = new DataSource(buildDataSourceOptions(url.toString()));
    await ds.initialize();
    try {
      const tables = async () =>
        (
          await ds.query(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'sync_%' ORDER BY 1`,
          )
        ).map((r: { table_name: string }) => r.table_name);
      await ds.runMigrations();
      expect(await tables()).toEqual(['sync_events', 'sync_sessions']);
      // A row recorded with its state only gets its snapshot back when `state` goes.
      const { state } = createSession(
        {
          session_id: 'm-1',
          sync_mode: 'global',
          participants: [{ participant_id: 'a' }],
          total_time_ms: 1000,
        },
        1_700_000_000_000,
      );
      await ds.query(
        `INSERT INTO sync_events (session_id, version, event_type, occurred_at, state)
         VALUES ('m-1', 1, 'session_created', $1, $2)`,
        [new Date(1_700_000_000_500), JSON.stringify(state)],
      );
      // Later features' migrations go first (their own specs test them).
      const newest = async () =>
        (await ds.query(`SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1`))[0]?.name;
      while ((await newest()) !== 'RecordEventStates1795100000000') await ds.undoLastMigration();
      await ds.undoLastMigration();
      const [row] = await ds.query(`SELECT * FROM sync_events WHERE session_id = 'm-1'`);
      expect(row.state).toBeUndefined();
      expect(row.state_snapshot).toEqual(
        JSON.parse(JSON.stringify(toView(state, 1_700_000_000_500))),
      );
      await ds.undoLastMigration();
      expect(await tables()).toEqual([]);
      await ds.runMigrations();
      expect(await tables()).toEqual(['sync_events', 'sync_sessions']);
    } finally {
      await ds.destroy();
      await pg.query(`DROP DATABASE IF EXISTS ${scratch}`);
    }
  });

  it('an instance on an empty database applies the migrations itself and records there', async () => {
    const scratch = `synckairos_fresh_${process.pid}`;
    await pg.query(`DROP DATABASE IF EXISTS ${scratch}`);
    await pg.query(`CREATE DATABASE ${scratch}`);
    const url = new URL(DB_URL);
    url.pathname = `/${scratch}`;
    // Its own queues too, so that the suite's instance does not take its jobs.
    const prefix = `${process.env.REDIS_KEY_PREFIX}-fresh`;
    const fresh = await startApp({ DATABASE_URL: url.toString(), REDIS_KEY_PREFIX: prefix });
    const db = new Client({ connectionString: url.toString() });
    try {
      const id = uniqueId('fresh');
      await new Api(fresh.getHttpServer()).create(chess(id, 60_000)).expect(201);
      await db.connect();
      const count = async () =>
        (
          await db
            .query<{ n: string }>('SELECT count(*) AS n FROM sync_events WHERE session_id = $1', [
              id,
            ])
            .catch(() => ({ rows: [{ n: '0' }] }))
        ).rows[0].n;
      expect(await waitUntil(count, (n) => n === '1', 10_000)).toBe('1');
    } finally {
      await db.end();
      await fresh.close();
      await cleanRedis(prefix);
      await pg.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    }
  });
});

describe('AuditModule through a PostgreSQL outage', () => {
  const postgres = new OwnPostgres();
  let app: INestApplication;
  let api: Api;
  let pg: Pool;

  beforeAll(async () => {
    await postgres.start();
    app = await startApp({ DATABASE_URL: postgres.url });
    api = new Api(app.getHttpServer());
    // A pool: its connections die with the server and are opened again after the restart.
    pg = new Pool({ connectionString: postgres.url });
    pg.on('error', () => undefined);
  });

  afterAll(async () => {
    await app?.close();
    await pg?.end();
    await postgres.cleanup();
    await cleanRedis();
  });

  it('loses nothing and duplicates nothing while PostgreSQL is away and comes back', async () => {
    const id = uniqueId('outage');
    await api.create(chess(id)).expect(201);
    await api.command(id, 'start').expect(200);
    await waitUntil(
      async () =>
        (await pg.query('SELECT count(*)::int AS n FROM sync_events WHERE session_id = $1', [id]))
          .rows[0].n,
      (n) => n === 2,
    );

    await postgres.stop();
    const started = Date.now();
    for (let i = 0; i < 30; i++) await api.command(id, 'switch').expect(200);
    expect(Date.now() - started).toBeLessThan(5000); // the hot path never waits for PostgreSQL
    await sleep(2500); // long enough for the worker to meet the outage and pause
    await postgres.restart();

    const rows = await waitUntil(
      async () =>
        (
          await pg.query<{ version: number }>(
            'SELECT version FROM sync_events WHERE session_id = $1 ORDER BY version',
            [id],
          )
        ).rows,
      (r) => r.length >= 32,
      20_000,
    );
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    const queue = app.get<Queue>(getQueueToken(AUDIT_QUEUE));
    expect(await queue.getFailedCount()).toBe(0);
  });

  it('a session Redis has lost is served again from its snapshot, its clock still running', async () => {
    const id = uniqueId('restore');
    await api.create(chess(id, 60_000)).expect(201);
    const started = (await api.command(id, 'start').expect(200)).body.data;
    await api.command(id, 'switch').expect(200);
    await waitUntil(
      async () =>
        (await pg.query('SELECT last_version FROM sync_sessions WHERE session_id = $1', [id]))
          .rows[0],
      (r) => r?.last_version === 3,
    );
    const redis = app.get<Redis>(REDIS_CLIENT);
    await redis.del(app.get(SessionKeys).session(id));

    const back = (await api.get(id).expect(200)).body.data;
    // A new epoch: versions after 3 may have been acknowledged and lost, so none is reused.
    expect(back).toMatchObject({
      version: 100_003,
      status: 'running',
      active_participant_id: 'black',
    });
    expect(back.session_started_at).toBe(started.session_started_at);
    expect(back.participants[1].time_used_ms).toBe(
      back.server_time_ms - Date.parse(back.cycle_started_at),
    );
    expect((await api.command(id, 'switch').expect(200)).body.data.version).toBe(100_004);
    const rows = await waitUntil(
      async () =>
        (
          await pg.query(
            'SELECT version, event_type, metadata FROM sync_events WHERE session_id = $1 AND version > 3 ORDER BY version',
            [id],
          )
        ).rows,
      (r) => r.length === 2,
    );
    expect(rows).toEqual([
      {
        version: 100_003,
        event_type: 'session_restored',
        metadata: {
          restored_from_version: 3,
          last_recorded_version: 3,
          possibly_lost_after_version: 3,
        },
      },
      expect.objectContaining({ version: 100_004, event_type: 'cycle_switched' }),
    ]);
  });

  it('a restored clock that ran out while Redis was away is settled to that instant', async () => {
    const id = uniqueId('restore-exp');
    await api.create(chess(id, 1000)).expect(201);
    const started = (await api.command(id, 'start').expect(200)).body.data;
    await waitUntil(
      async () =>
        (await pg.query('SELECT last_version FROM sync_sessions WHERE session_id = $1', [id]))
          .rows[0],
      (r) => r?.last_version === 2,
    );
    await app.get<Redis>(REDIS_CLIENT).del(app.get(SessionKeys).session(id));
    await sleep(1200);
    const back = (await api.get(id).expect(200)).body.data;
    expect(back.status).toBe('expired');
    expect(Date.parse(back.session_completed_at) - Date.parse(started.cycle_started_at)).toBe(1000);
  });

  it('a deleted session is not brought back', async () => {
    const id = uniqueId('deleted');
    await api.create(chess(id)).expect(201);
    await api.delete(id).expect(204);
    await waitUntil(
      async () =>
        (await pg.query('SELECT final_status FROM sync_sessions WHERE session_id = $1', [id]))
          .rows[0],
      (r) => r?.final_status === 'deleted',
    );
    await app.get<Redis>(REDIS_CLIENT).del(app.get(SessionKeys).session(id));
    expect((await api.get(id)).status).toBe(404);
    expect((await api.create(chess(id))).status).toBe(409);
  });
  it('while PostgreSQL cannot be asked, a session missing from Redis is 503, never 404 or a new 201', async () => {
    const id = uniqueId('pg-down-missing');
    await api.create(chess(id)).expect(201);
    await waitUntil(
      async () =>
        (await pg.query('SELECT last_version FROM sync_sessions WHERE session_id = $1', [id]))
          .rows[0],
      (r) => r?.last_version === 1,
    );
    await app.get<Redis>(REDIS_CLIENT).del(app.get(SessionKeys).session(id));
    await postgres.stop();
    try {
      expect((await api.get(id)).body.error.code).toBe('UNAVAILABLE');
      expect((await api.command(id, 'start')).status).toBe(503);
      expect((await api.create(chess(id))).status).toBe(503);
      expect((await api.create(chess(uniqueId('pg-down-new')))).status).toBe(503);
      expect((await api.delete(id)).status).toBe(503);
    } finally {
      await postgres.restart();
    }
    expect((await api.get(id).expect(200)).body.data.version).toBe(100_001);
  });

  it('a delete is answered once PostgreSQL holds it; while it cannot, 503 and the session stays', async () => {
    const id = uniqueId('pg-down-delete');
    await api.create(chess(id)).expect(201);
    await api.command(id, 'start').expect(200);
    await postgres.stop();
    try {
      expect((await api.delete(id)).body.error.code).toBe('UNAVAILABLE');
      expect((await api.get(id).expect(200)).body.data).toMatchObject({ version: 2 });
    } finally {
      await postgres.restart();
    }
    await api.delete(id).expect(204);
    // Recorded before the answer: not a moment later.
    const row = await pg.query('SELECT final_status FROM sync_sessions WHERE session_id = $1', [
      id,
    ]);
    expect(row.rows[0].final_status).toBe('deleted');
    await app.get<Redis>(REDIS_CLIENT).del(app.get(SessionKeys).session(id));
    expect((await api.get(id)).status).toBe(404);
    await api.delete(id).expect(204);
  });
});

describe('AUDIT_WORKER=false', () => {
  it('an API instance that does not consume leaves the jobs to a worker', async () => {
    const producer = await startApp({ AUDIT_WORKER: 'false' });
    const pg = new Client({ connectionString: DB_URL });
    await pg.connect();
    try {
      const id = uniqueId('noworker');
      await new Api(producer.getHttpServer()).create(chess(id)).expect(201);
      const queue = producer.get<Queue<{ events: AuditEvent[] }>>(getQueueToken(AUDIT_QUEUE));
      await sleep(300);
      const waiting = await queue.getWaiting(0, -1);
      expect(
        waiting.flatMap((j) => j.data.events).filter((e) => e.session_id === id),
      ).toMatchObject([{ version: 1, event_type: 'session_created' }]);
      expect(
        (await pg.query('SELECT 1 FROM sync_events WHERE session_id = $1', [id])).rowCount,
      ).toBe(0);

      const { NestFactory } = await import('@nestjs/core');
      const { WorkerModule } = await import('../src/worker.module');
      const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(), {
        logger: ['error'],
      });
      try {
        await waitUntil(
          async () =>
            (await pg.query('SELECT 1 FROM sync_events WHERE session_id = $1', [id])).rowCount,
          (n) => n === 1,
        );
      } finally {
        await worker.close();
      }
    } finally {
      await producer.close();
      await pg.end();
      await cleanRedis();
    }
  });
});
