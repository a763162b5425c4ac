import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { Api, chess } from './support/api';
import { sleep, startApp, uniqueId } from './support/e2e-app';
import { OwnRedis } from './support/own-redis';
import { waitUntil } from './support/wait';

/**
 * A Redis that stops answering (SIGSTOP) with connections open: commands answer 503 within the
 * command timeout, and a write that may have been sent says OUTCOME_UNKNOWN, never a plain
 * failure the client could take for "nothing happened".
 */
describe('a stalled Redis', () => {
  const redis = new OwnRedis();
  let app: INestApplication;
  let api: Api;

  beforeAll(async () => {
    await redis.start();
    app = await startApp({
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: '300',
      RATE_LIMIT_ENABLED: 'false',
      OUTBOX_STALE_MS: '1000',
      OUTBOX_RELAY_INTERVAL_MS: '200',
    });
    api = new Api(app.getHttpServer());
  });

  afterAll(async () => {
    redis.thaw();
    await app?.close();
    await redis.kill();
  });

  it('answers 503 within the command timeout; a write that may have happened is OUTCOME_UNKNOWN', async () => {
    const id = uniqueId('stall');
    await api.create(chess(id)).expect(201);
    await api.command(id, 'start').expect(200);
    await api.get(id).expect(200); // the state is cached: the switch goes straight to its write

    redis.freeze();
    try {
      const t = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => api.command(id, 'switch')),
      );
      const took = Date.now() - t;
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 503));
      expect(new Set(answers.map((a) => a.body.error.code))).toEqual(new Set(['OUTCOME_UNKNOWN']));
      // The timeout (300 ms) plus the turn that carried them, not seconds behind the pipeline.
      expect(took).toBeLessThan(300 * 2 + 400);
      const read = await api.get(uniqueId('stall-other'));
      expect(read.status).toBe(503);
      expect(read.body.error.code).toBe('UNAVAILABLE');
    } finally {
      redis.thaw();
    }
    await sleep(100);
    // The frozen write may have landed after all: one version more or none, never more.
    const after = (await api.get(id).expect(200)).body.data;
    expect([2, 3]).toContain(after.version);
    // Whichever it was, every version that exists is in the audit trail (no phantom commit).
    const pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
    try {
      const versions = await waitUntil(
        async () =>
          (
            await pg.query<{ version: number }>(
              'SELECT version FROM sync_events WHERE session_id = $1 ORDER BY version',
              [id],
            )
          ).rows.map((r) => r.version),
        (v) => v.length >= after.version,
        10_000,
      );
      expect(versions).toEqual(Array.from({ length: after.version }, (_, i) => i + 1));
    } finally {
      await pg.end();
    }
  });

  it('a command retried with its key after OUTCOME_UNKNOWN is applied once', async () => {
    const id = uniqueId('stall-idem');
    await api.create(chess(id)).expect(201);
    await api.command(id, 'start').expect(200);
    await api.get(id).expect(200);

    redis.freeze();
    let unknown;
    try {
      unknown = await api.command(id, 'switch').set('Idempotency-Key', 'retry-me');
    } finally {
      redis.thaw();
    }
    expect(unknown.status).toBe(503);
    const retried = await api.command(id, 'switch').set('Idempotency-Key', 'retry-me');
    expect(retried.status).toBe(200);
    expect(retried.body.data.version).toBe(3);
    expect((await api.get(id).expect(200)).body.data.version).toBe(3);
  });
});
