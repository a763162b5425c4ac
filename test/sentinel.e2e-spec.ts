import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { Client } from 'pg';
import { REDIS_CLIENT } from '../src/state/redis.constants';
import { Api, chess } from './support/api';
import { baseUrl, startApp, uniqueId } from './support/e2e-app';
import { OwnSentinel } from './support/own-sentinel';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

/** The service on a Sentinel-managed primary of its own: only REDIS_SENTINELS and the name set. */
describe('On a Sentinel-managed Redis', () => {
  const redis = new OwnSentinel();
  let app: INestApplication;
  let api: Api;
  let pg: Client;
  const watchers: Watcher[] = [];

  beforeAll(async () => {
    await redis.start();
    app = await startApp({
      // Nothing answers there: every connection must come from the Sentinel.
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_SENTINELS: redis.sentinels,
      REDIS_SENTINEL_NAME: redis.name,
    });
    api = new Api(app.getHttpServer());
    pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
  }, 60_000);

  afterEach(() => watchers.splice(0).forEach((w) => w.close()));

  afterAll(async () => {
    await app?.close();
    await pg?.end();
    await redis.stop();
  });

  it('connects to the primary the Sentinel names, and is ready', async () => {
    const client = app.get<Redis>(REDIS_CLIENT);
    expect(await client.config('GET', 'port')).toEqual(['port', String(redis.dataPorts[0])]);
    await api.raw().get('/ready').expect(200);
  });

  it('runs a session: commands, a watcher, a deadline and the audit trail', async () => {
    const id = uniqueId('sn');
    await api.create(chess(id, 1000)).expect(201);
    const w = new Watcher(baseUrl(app), { query: { sessionId: id } });
    watchers.push(w);
    await w.next('session:state');
    await api.command(id, 'start').expect(200);
    await api.command(id, 'switch').expect(200);
    const expired = await w.next('session:state', (s) => s.state.status === 'expired', 5000);
    expect(expired.version).toBe(4);
    const versions = async () =>
      (
        await pg.query<{ version: number }>(
          'SELECT version FROM sync_events WHERE session_id = $1 ORDER BY version',
          [id],
        )
      ).rows.map((r) => r.version);
    await waitUntil(versions, (v) => v.length === 4, 10_000);
    expect(await versions()).toEqual([1, 2, 3, 4]);
  });

  it('follows the primary across a failover', async () => {
    const id = uniqueId('sn-fo');
    await api.create(chess(id)).expect(201);
    await api.command(id, 'start').expect(200);
    await redis.failover();
    const client = app.get<Redis>(REDIS_CLIENT);
    const newPrimary = ['port', String(redis.dataPorts[1])];
    await waitUntil(
      () => client.config('GET', 'port').catch(() => null),
      (port) => JSON.stringify(port) === JSON.stringify(newPrimary),
      15_000,
      100,
    );
    // Until every connection has asked the Sentinel again (and the old primary replicates the
    // new one), a command may answer 503, even OUTCOME_UNKNOWN: retried with its key, it applies once.
    await waitUntil(
      async () => (await api.command(id, 'switch').set('Idempotency-Key', `${id}-move`)).status,
      (status) => status === 200,
      15_000,
      200,
    );
    expect((await api.get(id).expect(200)).body.data.version).toBe(3);
    await waitUntil(
      async () => (await api.raw().get('/ready')).status,
      (status) => status === 200,
      15_000,
      200,
    );
  });
});
