import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import Redis from 'ioredis';
import { CommitPipeline } from '../src/commits/commit-pipeline';
import { REDIS_CLIENT } from '../src/state/redis.constants';
import { SessionKeys } from '../src/state/session-keys';
import { Api, uneven } from './support/api';
import { baseUrl, cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

/**
 * An instance that committed a version and died before handing it on (the fault hook: its
 * commit pipeline drops everything): the version is acknowledged, and the outbox written by the
 * same compare-and-set lets another instance record it, push it and arm its deadline.
 */
describe('a commit whose writer never enqueued it', () => {
  let writer: INestApplication;
  let relay: INestApplication;
  let pg: Client;

  beforeAll(async () => {
    writer = await startApp({ AUDIT_WORKER: 'false', RATE_LIMIT_ENABLED: 'false' });
    relay = await startApp({
      OUTBOX_STALE_MS: '1000',
      OUTBOX_RELAY_INTERVAL_MS: '200',
      RATE_LIMIT_ENABLED: 'false',
    });
    pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
  });

  afterAll(async () => {
    await writer.close();
    await relay.close();
    await pg.end();
    await cleanRedis();
  });

  it('normally leaves nothing behind: each outbox is trimmed and unindexed once written', async () => {
    const id = uniqueId('outbox-trim');
    const api = new Api(relay.getHttpServer());
    await api.create(uneven(id, 600_000, 600_000)).expect(201);
    await api.command(id, 'start').expect(200);
    await Promise.all(Array.from({ length: 20 }, () => api.command(id, 'switch').expect(200)));
    const redis = relay.get<Redis>(REDIS_CLIENT);
    const keys = relay.get(SessionKeys);
    const left = await waitUntil(
      async () => [
        await redis.llen(keys.outbox(id)),
        await redis.zscore(keys.outboxIndex(keys.outboxShardOf(id)), id),
      ],
      ([length, score]) => length === 0 && score === null,
      10_000,
    );
    expect(left).toEqual([0, null]);
    const rows = await pg.query(
      'SELECT count(*)::int AS n FROM sync_events WHERE session_id = $1',
      [id],
    );
    expect(rows.rows[0].n).toBe(22);
  });

  it('is recorded, pushed and its deadline fires, from the outbox, on another instance', async () => {
    const id = uniqueId('outbox');
    const api = new Api(writer.getHttpServer());
    await api.create(uneven(id, 600_000, 2500)).expect(201);
    await api.command(id, 'start').expect(200);
    const w = new Watcher(baseUrl(relay), { query: { sessionId: id } });
    try {
      await w.next('session:state', (s) => s.version === 2);
      // The fault: from here on, the writer commits and hands nothing on.
      writer.get(CommitPipeline).committed = () => Promise.resolve();
      const acked = (await api.command(id, 'switch').expect(200)).body.data;
      expect(acked).toMatchObject({ version: 3, active_participant_id: 'black' });

      const pushed = await w.next('session:state', (s) => s.version === 3, 8000);
      expect(pushed.state.cycle_started_at).toBe(acked.cycle_started_at);
      const rows = await waitUntil(
        async () =>
          (
            await pg.query(
              'SELECT version, event_type, occurred_at FROM sync_events WHERE session_id = $1 ORDER BY version',
              [id],
            )
          ).rows,
        (r) => r.length >= 4,
        10_000,
      );
      expect(rows.map((r) => [r.version, r.event_type])).toEqual([
        [1, 'session_created'],
        [2, 'session_started'],
        [3, 'cycle_switched'],
        [4, 'session_expired'],
      ]);
      // Black's bank ran out at its exact instant, though the writer never armed it.
      expect(rows[3].occurred_at.getTime() - Date.parse(acked.cycle_started_at)).toBe(2500);
    } finally {
      w.close();
    }
  }, 30_000);
  /** The session's audit rows: version, type and the version of the state recorded with it. */
  async function trail(id: string, n: number) {
    const rows = await waitUntil(
      async () =>
        (
          await pg.query<{ version: number; event_type: string; state_version: number }>(
            `SELECT version, event_type, (state->>'version')::int AS state_version
             FROM sync_events WHERE session_id = $1 ORDER BY version`,
            [id],
          )
        ).rows,
      (r) => r.length >= n,
      10_000,
    );
    return rows.map((r) => [r.version, r.event_type, r.state_version]);
  }

  /** A started session of the writer's. */
  async function started(prefix: string): Promise<{ id: string; api: Api }> {
    const id = uniqueId(prefix);
    const api = new Api(writer.getHttpServer());
    await api.create(uneven(id, 600_000, 600_000)).expect(201);
    await api.command(id, 'start').expect(200);
    return { id, api };
  }

  /** The fault, while `action` runs: the writer commits and hands nothing on. */
  async function neverHandedOn(action: () => Promise<unknown>): Promise<void> {
    const pipeline = writer.get(CommitPipeline);
    const committed = pipeline.committed.bind(pipeline);
    pipeline.committed = () => Promise.resolve();
    try {
      await action();
    } finally {
      pipeline.committed = committed;
    }
  }

  it('a phantom commit ahead of written versions is written too, not trimmed with them', async () => {
    const { id, api } = await started('outbox-phantom');
    // v3 committed and never handed on; v4 written by its job at once.
    await neverHandedOn(() => api.command(id, 'switch').expect(200));
    await api.command(id, 'switch').expect(200);
    expect(await trail(id, 4)).toEqual([
      [1, 'session_created', 1],
      [2, 'session_started', 2],
      [3, 'cycle_switched', 3],
      [4, 'cycle_switched', 4],
    ]);
  });

  it('an unwritten version of a session deleted since is rebuilt from the deleted state', async () => {
    const { id, api } = await started('outbox-deleted');
    await neverHandedOn(async () => {
      await api.command(id, 'switch').expect(200);
      await api.command(id, 'switch').expect(200);
    });
    await api.delete(id).expect(204);
    expect(await trail(id, 5)).toEqual([
      [1, 'session_created', 1],
      [2, 'session_started', 2],
      [3, 'cycle_switched', 3],
      [4, 'cycle_switched', 4],
      [5, 'session_deleted', 4],
    ]);
  });
});
