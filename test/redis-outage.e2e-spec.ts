import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { TcpProxy } from './support/tcp-proxy';
import { waitUntil } from './support/wait';

/**
 * Redis goes away and comes back empty while the service runs: commands fail fast, readiness
 * drops and returns on its own, and a running session comes back from the audit trail.
 */
describe('a Redis outage', () => {
  let proxy: TcpProxy;
  let app: INestApplication;
  let api: Api;
  let pg: Client;

  beforeAll(async () => {
    const target = new URL(process.env.REDIS_URL as string);
    proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await proxy.start();
    target.port = String(port);
    app = await startApp({ REDIS_URL: target.toString() });
    api = new Api(app.getHttpServer());
    pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
  });

  afterAll(async () => {
    await app.close();
    await proxy.cut();
    await pg.end();
    await cleanRedis();
  });

  it('answers 503 fast, drops readiness, recovers on its own, and serves the session again', async () => {
    const id = uniqueId('outage');
    await api.create(chess(id)).expect(201);
    const started = (await api.command(id, 'start').expect(200)).body.data;
    await waitUntil(
      async () =>
        (await pg.query('SELECT last_version FROM sync_sessions WHERE session_id = $1', [id]))
          .rows[0],
      (row) => row?.last_version === 2,
    );
    const watcher = new Watcher(baseUrl(app), { query: { sessionId: id } });
    try {
      await watcher.next('session:state');

      await proxy.cut();
      await cleanRedis(); // Redis comes back with nothing in it

      let t = Date.now();
      const refused = await api.command(id, 'switch');
      expect(Date.now() - t).toBeLessThan(1000);
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('UNAVAILABLE');
      t = Date.now();
      const notReady = await api.raw().get('/ready');
      expect(notReady.status).toBe(503);
      expect(Date.now() - t).toBeLessThan(1000);
      expect((await api.raw().get('/health')).status).toBe(200);

      await proxy.restore();
      t = Date.now();
      await waitUntil(
        async () => (await api.raw().get('/ready')).status,
        (status) => status === 200,
        10_000,
        100,
      );
      expect(Date.now() - t).toBeLessThan(10_000);
      // The epoch marker went with the data: the instance says so.
      const ready = await waitUntil(
        async () => (await api.raw().get('/ready')).body,
        (body) => body.info?.redis?.data_loss_detected_at !== undefined,
        5000,
        100,
      );
      expect(ready.status).toBe('ok');
      const metrics = await api.raw().get('/metrics');
      expect(metrics.text).toMatch(/^synckairos_redis_data_loss_total [1-9]/m);

      const back = (await api.get(id).expect(200)).body.data;
      // Restored in a new epoch: version 2 was the newest recorded one.
      expect(back).toMatchObject({
        version: 100_002,
        status: 'running',
        active_participant_id: 'white',
      });
      expect(back.cycle_started_at).toBe(started.cycle_started_at);
      const switched = (await api.command(id, 'switch').expect(200)).body.data;
      expect(switched.version).toBe(100_003);
      const pushed = await watcher.next('session:state', (s) => s.version === 100_003, 5000);
      expect(pushed.state.active_participant_id).toBe('black');
    } finally {
      watcher.close();
    }
  });
});
