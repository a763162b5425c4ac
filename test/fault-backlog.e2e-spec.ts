import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { AUDIT_QUEUE } from '../src/audit/audit.constants';
import { REDIS_CLIENT } from '../src/state/redis.constants';
import { SessionKeys } from '../src/state/session-keys';
import { Api, chess } from './support/api';
import { cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { OwnPostgres } from './support/own-postgres';
import { waitUntil } from './support/wait';

/**
 * PostgreSQL (a server of the test's own) stopped for long: the audit backlog grows in Redis,
 * one state per session and a delta per version, until AUDIT_BACKLOG_MAX_BYTES; then client
 * commands answer 503 BACKLOG_FULL (reads go on, readiness says so), and once
 * PostgreSQL is back the backlog drains and commands are accepted again, nothing lost.
 */
describe('a capped audit backlog', () => {
  const postgres = new OwnPostgres();
  let app: INestApplication;
  let api: Api;

  beforeAll(async () => {
    await postgres.start();
    app = await startApp({
      DATABASE_URL: postgres.url,
      AUDIT_BACKLOG_MAX_BYTES: String(64 * 1024),
      OUTBOX_RELAY_INTERVAL_MS: '200',
      RATE_LIMIT_ENABLED: 'false',
    });
    api = new Api(app.getHttpServer());
  });

  afterAll(async () => {
    await app?.close();
    await postgres.cleanup();
    await cleanRedis();
  });

  /** What the backlog holds in Redis: the sessions' outbox keys and every unfinished audit job. */
  async function backlogBytes(ids: string[]): Promise<{ bytes: number; jobs: number }> {
    const redis = app.get<Redis>(REDIS_CLIENT);
    const keys = app.get(SessionKeys);
    const queue = app.get<Queue>(getQueueToken(AUDIT_QUEUE));
    const jobs = await queue.getJobs(['wait', 'delayed', 'paused', 'prioritized', 'active']);
    const sized = [
      ...ids.flatMap((id) => [keys.outbox(id), keys.outboxWritten(id), keys.outboxHandOff(id)]),
      ...jobs.map((job) => queue.toKey(job.id!)),
    ];
    const usage = await Promise.all(sized.map((k) => redis.memory('USAGE', k)));
    return { bytes: usage.reduce<number>((a, b) => a + (b ?? 0), 0), jobs: jobs.length };
  }

  async function auditRows(ids: string[]): Promise<{ version: number; state_version: number }[]> {
    const pg = new Client({ connectionString: postgres.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ version: number; state_version: number }>(
        `SELECT version, (state->>'version')::int AS state_version FROM sync_events
         WHERE session_id = ANY($1) ORDER BY session_id, version`,
        [ids],
      );
      return rows;
    } finally {
      await pg.end();
    }
  }

  it('keeps a backlog compactly: no snapshot per version, no job waiting; all written after', async () => {
    const metadata = { note: 'n'.repeat(600) };
    const ids = Array.from({ length: 4 }, () => uniqueId('compact'));
    for (const id of ids) {
      await api.create(chess(id, 60_000, { metadata })).expect(201);
      await api.command(id, 'start').expect(200);
    }
    const snapshot = JSON.stringify((await api.get(ids[0]).expect(200)).body.data).length;
    await postgres.stop();
    const switches = 60; // about 40 KB: well under the cap
    for (let i = 0; i < switches; i++) await api.command(ids[i % ids.length], 'switch').expect(200);
    // The jobs hand their events off to the outboxes and finish: nothing else keeps them.
    const { bytes } = await waitUntil(
      () => backlogBytes(ids),
      (b) => b.jobs === 0,
      20_000,
      200,
    );
    // 652 B here, where a snapshot in the outbox and one in each job took 2,582 B.
    expect(bytes / switches).toBeLessThan(snapshot / 2);

    await postgres.restart();
    const expected = ids.length * 2 + switches;
    const rows = await waitUntil(
      () => auditRows(ids).catch(() => []),
      (r) => r.length === expected,
      30_000,
      250,
    );
    // Every version written once, with its own state, rebuilt from the deltas.
    expect(rows.every((r) => r.state_version === r.version)).toBe(true);
    await waitUntil(
      () => backlogBytes(ids),
      (b) => b.bytes === 0,
      10_000,
      200,
    );
  }, 60_000);

  it('refuses commands with BACKLOG_FULL past the cap, serves reads, and recovers', async () => {
    const ids = Array.from({ length: 5 }, () => uniqueId('backlog'));
    for (const id of ids) {
      await api.create(chess(id)).expect(201);
      await api.command(id, 'start').expect(200);
    }
    await postgres.stop();
    let acknowledged = 0;
    let refused: { status: number; body: any } | undefined;
    for (let i = 0; i < 2000 && !refused; i++) {
      const res = await api.command(ids[i % ids.length], 'switch');
      if (res.status === 200) acknowledged++;
      else refused = res;
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 250)); // a relay pass measures
    }
    expect(refused?.status).toBe(503);
    expect(refused?.body.error.code).toBe('BACKLOG_FULL');
    expect(acknowledged).toBeGreaterThan(0);
    await api.get(ids[0]).expect(200);
    const ready = await api.raw().get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.audit_backlog).toMatchObject({ full: true, max_bytes: 64 * 1024 });

    await postgres.restart();
    await waitUntil(
      async () => (await api.command(ids[0], 'switch')).status,
      (status) => status === 200,
      30_000,
      250,
    );
    // Every acknowledged switch is in the trail (plus created, started and the one above).
    const total = await waitUntil(
      async () => {
        let n = 0;
        for (const id of ids) {
          const state = (await api.get(id).expect(200)).body.data;
          n += state.version;
        }
        return n;
      },
      (n) => n === ids.length * 2 + acknowledged + 1,
    );
    expect(total).toBe(ids.length * 2 + acknowledged + 1);
    const rows = await waitUntil(
      () => auditRows(ids),
      (r) => r.length === total,
      30_000,
      250,
    );
    expect(rows.every((r) => r.state_version === r.version)).toBe(true);
  }, 60_000);
});
