import { INestApplication } from '@nestjs/common';
import { Api, chess } from './support/api';
import { cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { OwnPostgres } from './support/own-postgres';
import { waitUntil } from './support/wait';

/**
 * PostgreSQL (a server of the test's own) stopped for long: the audit backlog grows in Redis until AUDIT_BACKLOG_MAX_BYTES,
 * then client commands answer 503 BACKLOG_FULL (reads go on, readiness says so), and once
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
  }, 60_000);
});
